#!/usr/bin/env node
/**
 * lakegres command line. This bootstrap only parses options and sizes libuv's thread pool
 * (every DuckDB call occupies a pool thread while it runs, so the pool must be sized from the
 * connection limit before anything uses it); the server is loaded afterwards.
 */
import { Command, Option } from 'commander';
import { OPTIONS, envName, resolveConfig } from './config/options.js';
import { PgError } from './errors/pg-error.js';

const program = new Command();
program
  .name('lakegres')
  .description('PostgreSQL wire-protocol server over a DuckLake lakehouse (DuckDB inside)')
  .version('0.1.0')
  .showHelpAfterError();

for (const spec of OPTIONS) {
  const flags = spec.type === 'bool' ? spec.flag : `${spec.flag} ${spec.arg ?? '<value>'}`;
  const opt = new Option(flags, `${spec.description} [env ${envName(spec)}]`);
  if (spec.default !== undefined) opt.default(spec.default, Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default));
  if (spec.choices) opt.choices(spec.choices);
  program.addOption(opt);
}

program.command('hash-password')
  .description('print a users-file line with a SCRAM-SHA-256 verifier; reads the password from stdin')
  .argument('<user>', 'user name')
  .action(async (user: string) => {
    const { readFileSync } = await import('node:fs');
    const { makeVerifier, formatVerifier } = await import('./auth/scram.js');
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (!password) {
      process.stderr.write('empty password\n');
      process.exit(1);
    }
    process.stdout.write(`${user}:${formatVerifier(makeVerifier(password))}\n`);
  });

program.action(async () => {
  // Only options given on the command line, so that env and file can fill the rest.
  const cli: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    if (program.getOptionValueSource(spec.key) === 'cli') cli[spec.key] = program.getOptionValue(spec.key);
  }
  let config;
  try {
    config = resolveConfig(cli);
  } catch (e) {
    process.stderr.write(`lakegres: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, config.maxConnections + 8));
  const { runServer } = await import('./main.js');
  try {
    await runServer(config);
  } catch (e) {
    process.stderr.write(`lakegres: ${e instanceof PgError ? e.message : (e as Error).stack ?? e}\n`);
    process.exit(1);
  }
});

await program.parseAsync(process.argv);
