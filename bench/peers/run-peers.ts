// A scenario's peers, run right after it in the same invocation: record Roost's answers (and
// statements), start each peer in this process, check it answers exactly what Roost answered,
// then drive it with the scenario's own load (same requests, concurrency and seconds).
import type { LoadResult } from "../load.ts";
import { type MemoryFigures, type ProbeSource, type ServerActivity, statementsSent } from "../probe.ts";
import { formatRow, PEER_LABELS, type ScenarioReport } from "../report.ts";
import type { LoopScenario, PeerKind, ScenarioParams } from "../scenarios.ts";
import { startCeilingPeer } from "./ceiling.ts";
import type { PeerServer } from "./http.ts";
import { firstDifference, type Recording, recordAnswers } from "./record.ts";
import { startSqlPeer } from "./sql.ts";

export interface PeerContext {
  roostUrl: string;
  databaseUrl: string;
  /** Roost's DATABASE_POOL_MAX: the SQL peer's pool is as large. */
  poolMax: number;
  params: ScenarioParams;
  log: (message: string) => void;
  /** Runs the scenario's load against a server and reads it through `source`, as for Roost. */
  measure(
    baseUrl: string,
    source: ProbeSource,
  ): Promise<{ load: LoadResult; server: ServerActivity; memory: MemoryFigures }>;
}

const MEASURES: Record<PeerKind, string> = {
  ceiling:
    "graphql-yoga with graphql-jit on node:http, the printed schema and persisted documents, its root fields answering Roost's recorded answers",
  sql: "node:http and a pg pool of Roost's size sending the statements Roost sent for the same request, then writing Roost's answer",
};

/** The peers' rows; a peer that cannot be timed is noted on Roost's row instead. */
export async function runPeers(
  scenario: LoopScenario,
  roost: ScenarioReport,
  context: PeerContext,
): Promise<ScenarioReport[]> {
  const recorded = scenario.peers?.recorded;
  if (!recorded) return [];
  const { log } = context;
  const fail = (kind: PeerKind, reason: string) => {
    log(`${scenario.name}: ${PEER_LABELS[kind]} NOT timed: ${reason}`);
    (roost.peerFailures ??= []).push({ kind, reason });
  };

  let recordings: Map<string, Recording>;
  try {
    recordings = await recordAnswers({
      baseUrl: context.roostUrl,
      requests: recorded.requests(context.params),
      key: recorded.key,
      classify: scenario.classify,
      withStatements: recorded.kinds.includes("sql"),
    });
  } catch (error) {
    for (const kind of recorded.kinds) fail(kind, `recording Roost's answers failed: ${String(error)}`);
    return [];
  }
  const statements = [...recordings.values()].reduce(
    (sum, recording) => sum + recording.statements.length,
    0,
  );
  log(
    `${scenario.name}: recorded ${recordings.size} answer${recordings.size === 1 ? "" : "s"} from Roost` +
      (recorded.kinds.includes("sql")
        ? `, ${(statements / recordings.size).toFixed(1)} statements each`
        : ""),
  );

  const rows: ScenarioReport[] = [];
  for (const kind of recorded.kinds) {
    let peer: PeerServer & { poolWaiting?: () => number };
    try {
      if (kind === "ceiling") {
        peer = await startCeilingPeer(recordings, recorded.key);
      } else {
        const sqlPeer = await startSqlPeer({
          databaseUrl: context.databaseUrl,
          poolMax: context.poolMax,
          recordings,
          key: recorded.key,
          log,
        });
        for (const line of sqlPeer.describe()) log(`  ${line}`);
        peer = sqlPeer;
      }
    } catch (error) {
      fail(kind, `it did not start: ${String(error)}`);
      continue;
    }
    try {
      const before = statementsSent();
      const difference = await firstDifference(peer.url, recordings.values());
      const sent = statementsSent() - before;
      if (difference) {
        fail(kind, `its answer differs from Roost's: ${difference}`);
        continue;
      }
      if (kind === "sql" && sent !== statements) {
        fail(kind, `it sent ${sent} statements for the recorded requests, Roost ${statements}`);
        continue;
      }
      log(
        `${scenario.name}: ${PEER_LABELS[kind]} on ${peer.url} answers as Roost did (${recordings.size} checked)`,
      );
      const measured = await context.measure(peer.url, {
        responses: async () => peer.responses(),
        poolWaiting: peer.poolWaiting,
      });
      const row: ScenarioReport = {
        name: `${scenario.name} · ${PEER_LABELS[kind]}`,
        measures: MEASURES[kind],
        peerOf: { scenario: scenario.name, kind },
        ...measured,
      };
      log(formatRow(row));
      rows.push(row);
    } finally {
      await peer.close();
    }
  }
  return rows;
}
