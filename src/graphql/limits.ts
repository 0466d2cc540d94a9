// Query limits: depth, aliases and an estimated cost, measured on the operation about to
// run (variables known), so one expensive request cannot starve the others.
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  /** Fields that would be resolved, multiplying by page sizes (`first`/`last`) of lists above them. */
  cost: number;
}

/** A list field without `first`/`last` is assumed to return this many items. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

export function measureOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): OperationMeasure | undefined {
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

  const measure: OperationMeasure = { depth: 0, aliases: 0, cost: 0 };
  const visit = (selectionSet: SelectionSetNode, depth: number, multiplier: number, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        // Introspection (GraphiQL's own queries are deep) is not limited.
        if (selection.name.value.startsWith("__")) continue;
        if (selection.alias) measure.aliases++;
        measure.depth = Math.max(measure.depth, depth);
        measure.cost += multiplier;
        if (selection.selectionSet) {
          visit(
            selection.selectionSet,
            depth + 1,
            multiplier * pageSize(selection.arguments ?? [], variables),
            seen,
          );
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        visit(fragment.selectionSet, depth, multiplier, new Set(seen).add(name));
      }
    }
  };
  visit(operation.selectionSet, 1, 1, new Set());
  return measure;
}

function pageSize(
  args: ReadonlyArray<{ name: { value: string }; value: ValueNode }>,
  variables: Record<string, unknown>,
): number {
  const arg = args.find((candidate) => candidate.name.value === "first" || candidate.name.value === "last");
  if (!arg) return 1;
  const raw =
    arg.value.kind === Kind.INT
      ? Number(arg.value.value)
      : arg.value.kind === Kind.VARIABLE
        ? variables[arg.value.name.value]
        : undefined;
  const size = typeof raw === "number" && Number.isFinite(raw) ? raw : DEFAULT_PAGE;
  return Math.min(Math.max(size, 1), MAX_PAGE);
}

/** The first limit the operation exceeds, as a message; undefined when within limits. */
export function exceededLimit(measure: OperationMeasure, limits: QueryLimits): string | undefined {
  if (measure.depth > limits.maxDepth)
    return `Query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`;
  if (measure.aliases > limits.maxAliases) {
    return `Query uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}`;
  }
  if (measure.cost > limits.maxCost)
    return `Query cost ${measure.cost} exceeds the limit of ${limits.maxCost}`;
  return undefined;
}
