/**
 * Operations endpoint (--http-port): /health (process alive), /ready (accepting PostgreSQL
 * connections) and /metrics (Prometheus text format).
 */
import http from 'node:http';
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import { commitCounters } from '../lake/write/tx.js';

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'lakegres_connections', help: 'Open client connections (sessions and connections still authenticating).', registers: [this.registry] });
  readonly sessions = new Counter({ name: 'lakegres_sessions_total', help: 'Sessions started since the server started.', registers: [this.registry] });
  readonly authFailures = new Counter({ name: 'lakegres_auth_failures_total', help: 'Failed authentication attempts.', registers: [this.registry] });
  readonly statements = new Counter({ name: 'lakegres_statements_total', help: 'Statements executed, by outcome.', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly statementSeconds = new Histogram({
    name: 'lakegres_statement_duration_seconds',
    help: 'Statement execution time.',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly cancels = new Counter({ name: 'lakegres_cancel_requests_total', help: 'CancelRequests that matched a session.', registers: [this.registry] });
  readonly errors = new Counter({ name: 'lakegres_statement_errors_total', help: 'Statement errors by SQLSTATE class (40 = serialization failures, e.g. lost lake commit races).', labelNames: ['class'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lakegres_' });
    // Lake commits are counted where they happen (lake/write/tx.ts); read at each scrape.
    const counted = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counted('lakegres_lake_commits_total', 'Lake snapshots committed by this process.', () => commitCounters.snapshots);
    counted('lakegres_lake_commit_retries_total', 'Internal retries of lake commits that lost a race on the snapshot id (compatible commits; never reported to clients).', () => commitCounters.retries);
    counted('lakegres_lake_commit_conflicts_total', 'Lake commits refused as conflicting with a concurrent commit (SQLSTATE 40001).', () => commitCounters.conflicts);
  }

  statement(seconds: number, ok: boolean): void {
    this.statements.inc({ outcome: ok ? 'ok' : 'error' });
    this.statementSeconds.observe(seconds);
  }

  statementError(sqlstate: string): void {
    this.statements.inc({ outcome: 'error' });
    this.errors.inc({ class: sqlstate.slice(0, 2) });
  }
}

export interface HttpStatus {
  ready(): boolean;
}

export function startHttp(host: string, port: number, metrics: Metrics, status: HttpStatus): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (url === '/ready') {
      const ready = status.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    } else if (url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (e) => res.writeHead(500).end(String(e)),
      );
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
