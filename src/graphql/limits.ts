// Query limits: depth, aliases and an estimated cost, measured on the operation about to
// run (variables known), so one expensive request cannot starve the others.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";
import { nightsBetween, parseCalendarDate } from "../core/calendar-date.ts";
import { CALENDAR_IMPORTS_MAX } from "../modules/calendar-sync/imports.ts";
import { CALENDAR_LIMITS } from "../modules/listings/calendar.ts";
import { CURRENCIES } from "../modules/pricing/money.ts";
import { LIMITS as LISTING_LIMITS } from "../modules/listings/validation.ts";
import { WISHLISTS_MAX } from "../modules/wishlists/service.ts";
import { MARK_READ_MAX_IDS } from "../modules/notifications/service.ts";
import { NODES_MAX_IDS } from "./builder.ts";

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  /** Fields that would be resolved, each list multiplying what is selected beneath it by its bound. */
  cost: number;
  /** Selections the measure walked: its own work, which grows with the document's text, never its expansion. */
  visited: number;
}

/** The most items a list field answers: a number, or one computed from its arguments. */
export type ListBound = number | ((args: Readonly<Record<string, unknown>>) => number);

export interface MeasureOptions {
  schema: GraphQLSchema;
  /** Bounds of list fields keyed `Type.field`; Roost's own by default. */
  listBounds?: Readonly<Record<string, ListBound>>;
  /**
   * Stop as soon as one is passed. The measure then holds what was counted so far, which
   * already passes that limit (every part of a document is a lower bound of the whole).
   */
  limits?: QueryLimits;
}

/** Relay connections: `first`/`last` default to 20 and are clamped at 100 (CONTRACT §3). */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
/** A list field nobody declared a bound for; the test of `listBounds` keeps Roost's at zero. */
const UNDECLARED_LIST_BOUND = MAX_PAGE;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** Nights of `calendar(from, to)`; dates the field will refuse count as its maximum. */
function nightsOf(args: Readonly<Record<string, unknown>>): number {
  const [from, to] = [args.from, args.to].map((value) =>
    typeof value === "string" ? parseCalendarDate(value) : undefined,
  );
  const nights = from && to ? nightsBetween(from, to) : Number.NaN;
  return Number.isFinite(nights)
    ? clamp(nights, 1, CALENDAR_LIMITS.rangeNightsMax)
    : CALENDAR_LIMITS.rangeNightsMax;
}

/** Ids of `nodes(ids:)`; more than it takes is refused by the field before any loads. */
function idsOf(args: Readonly<Record<string, unknown>>): number {
  return clamp(Array.isArray(args.ids) ? args.ids.length : 1, 1, NODES_MAX_IDS);
}

/**
 * Roost's list fields that are not connections (connections are bounded by `first`/`last`).
 * tests/graphql/limits.test.ts fails when a list field of the schema is missing here.
 */
export const listBounds: Readonly<Record<string, ListBound>> = {
  "Query.nodes": idsOf,
  "Listing.calendar": nightsOf,
  "Listing.photos": LISTING_LIMITS.photosMax,
  // The catalog is reference data (a few dozen rows); createListing takes at most 100 codes.
  "Query.amenities": 100,
  "Listing.amenities": 100,
  // The currencies Roost prices in: a fixed table.
  "Query.currencies": Object.keys(CURRENCIES).length,
  // One line per QuoteLineKind at most.
  "Quote.lines": 5,
  // The guest and the listing's host.
  "Conversation.participants": 2,
  // setAvailability reaches `horizonYears` past today; a change spans at most that.
  "CalendarChange.days": CALENDAR_LIMITS.horizonYears * 366,
  // addCalendarImport refuses more.
  "Listing.calendarImports": CALENDAR_IMPORTS_MAX,
  // A user has at most this many wishlists (createWishlist refuses more).
  "Query.wishlists": WISHLISTS_MAX,
  // The ids markNotificationsRead was given, at most MARK_READ_MAX_IDS.
  "MarkNotificationsReadPayload.notifications": MARK_READ_MAX_IDS,
};

type Tally = Pick<OperationMeasure, "depth" | "aliases" | "cost">;
const ZERO: Tally = { depth: 0, aliases: 0, cost: 0 };

class LimitPassed extends Error {
  constructor(readonly tally: Tally) {
    super("limit passed");
  }
}

/**
 * Measures the named operation (or the first one); undefined when the document has none by
 * that name. Each fragment is measured once, however often it is spread: a fragment's cost
 * at any position is its own cost times the bounds of the lists above that position.
 */
export function measureOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  options: MeasureOptions,
): OperationMeasure | undefined {
  const { schema, listBounds: bounds = listBounds, limits } = options;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName)
    ) {
      operation ??= definition;
    }
  }
  if (!operation) return undefined;

  // A variable left out takes its declared default, which is what the field will see.
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) {
      values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
    }
  }
  Object.assign(values, variables);

  let visited = 0;
  const measuredFragments = new Map<string, Tally>();
  const measuring = new Set<string>();

  const check = (tally: Tally) => {
    if (limits && exceededLimit(tally, limits)) throw new LimitPassed(tally);
  };

  const measureSet = (set: SelectionSetNode, type: GraphQLNamedType | undefined): Tally => {
    const tally = { ...ZERO };
    for (const selection of set.selections) {
      visited++;
      const part = measureSelection(selection, type);
      tally.depth = Math.max(tally.depth, part.depth);
      tally.aliases += part.aliases;
      tally.cost += part.cost;
      check(tally);
    }
    return tally;
  };

  const measureSelection = (selection: SelectionNode, type: GraphQLNamedType | undefined): Tally => {
    if (selection.kind === Kind.FIELD) return measureField(selection, type);
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
      return measureSet(selection.selectionSet, condition ?? type);
    }
    const name = selection.name.value;
    const known = measuredFragments.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // A cycle (validation refuses it) adds nothing.
    if (!fragment || measuring.has(name)) return ZERO;
    measuring.add(name);
    const tally = measureSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    measuring.delete(name);
    measuredFragments.set(name, tally);
    return tally;
  };

  const measureField = (node: FieldNode, parent: GraphQLNamedType | undefined): Tally => {
    // Introspection (GraphiQL's own queries are deep) is not limited.
    if (node.name.value.startsWith("__")) return ZERO;
    const aliases = node.alias ? 1 : 0;
    if (!node.selectionSet) return { depth: 1, aliases, cost: 1 };
    const field =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    const below = measureSet(node.selectionSet, field && getNamedType(field.type));
    const bound = field && parent ? boundOf(parent.name, field, node) : 1;
    return { depth: 1 + below.depth, aliases: aliases + below.aliases, cost: 1 + bound * below.cost };
  };

  const boundOf = (parent: string, field: GraphQLField<unknown, unknown>, node: FieldNode): number => {
    const declared = bounds[`${parent}.${field.name}`];
    if (typeof declared === "number") return declared;
    const args = () =>
      Object.fromEntries(
        (node.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value, values)]),
      );
    if (declared) return declared(args());
    if (field.args.some((arg) => arg.name === "first" || arg.name === "last")) return pageSize(args());
    // A connection's page is counted on the connection field; its edges are that page.
    if (field.name === "edges" && isRelayConnection(parent, schema)) return 1;
    return returnsList(field) ? UNDECLARED_LIST_BOUND : 1;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  let tally: Tally;
  try {
    tally = measureSet(operation.selectionSet, root);
  } catch (error) {
    if (!(error instanceof LimitPassed)) throw error;
    tally = error.tally;
  }
  return { ...tally, visited };
}

function pageSize(args: Readonly<Record<string, unknown>>): number {
  const sizes = [args.first, args.last].filter(
    (size): size is number => typeof size === "number" && Number.isFinite(size),
  );
  return sizes.length ? clamp(Math.max(...sizes), 1, MAX_PAGE) : DEFAULT_PAGE;
}

function isRelayConnection(typename: string, schema: GraphQLSchema): boolean {
  const type = schema.getType(typename);
  return isObjectType(type) && "pageInfo" in type.getFields();
}

export function returnsList(field: GraphQLField<unknown, unknown>): boolean {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  return isListType(type);
}

/** The first limit the operation exceeds, as a message; undefined when within limits. */
export function exceededLimit(
  measure: Pick<OperationMeasure, "depth" | "aliases" | "cost">,
  limits: QueryLimits,
): string | undefined {
  if (measure.depth > limits.maxDepth)
    return `Query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`;
  if (measure.aliases > limits.maxAliases) {
    return `Query uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}`;
  }
  if (measure.cost > limits.maxCost)
    return `Query cost ${measure.cost} exceeds the limit of ${limits.maxCost}`;
  return undefined;
}
