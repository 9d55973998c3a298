#!/usr/bin/env node
/**
 * lakegres command line. This bootstrap only parses options and sizes libuv's thread pool
 * (every DuckDB call occupies a pool thread while it runs, so the pool must be sized from the
 * connection limit before anything uses it); the server is loaded afterwards.
 *
 * Exit status: 0 on success and after a graceful shutdown, 2 for invalid options or
 * configuration (bad values, unreadable config/users/TLS files, unsafe settings), 1 for
 * run-time failures (port in use, engine errors).
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, OPTIONS, envName, resolveConfig, validUserName, redactUrl } from './config/options.js';
import { VERSION } from './version.js';
import { PgError } from './errors/pg-error.js';

// The AWS SDK warns on Node < 22 (NodeVersionSupportWarning) when an S3 client is constructed;
// this is its documented off switch (checked at construction, so setting it here is early enough).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const EXIT_USAGE = 2;

function die(message: string, code: number): never {
  process.stderr.write(`lakegres: ${message}\n`);
  process.exit(code);
}

const program = new Command();
program
  .name('lakegres')
  .description('PostgreSQL wire-protocol server over a DuckLake lakehouse (DuckDB inside)')
  .version(VERSION)
  .showHelpAfterError('(run "lakegres --help" for the list of options)')
  .addHelpText(
    'after',
    '\nEvery option can also be given as an environment variable (shown in brackets) or as a key of the\n' +
      'JSON --config file (camelCase, e.g. "maxConnections"). Precedence: command line > environment >\n' +
      'config file > defaults.',
  )
  // Usage errors (unknown option, missing or invalid argument) exit with status 2.
  .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

for (const spec of OPTIONS) {
  const flags = spec.type === 'bool' ? spec.flag : `${spec.flag} ${spec.arg ?? '<value>'}`;
  const opt = new Option(flags, `${spec.description} [env ${envName(spec)}]`);
  if (spec.default !== undefined) opt.default(spec.default, Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default));
  if (spec.choices) opt.choices(spec.choices);
  program.addOption(opt);
}
program.addOption(new Option('--print-config', 'print the resolved configuration as JSON (password redacted) and exit'));

program
  .command('hash-password')
  .description('print a users-file line with a SCRAM-SHA-256 verifier; reads the password from stdin (first line)')
  .argument('<user>', 'user name')
  .action(async (user: string) => {
    if (!validUserName(user)) die(`invalid user name ${JSON.stringify(user)}: at most 63 bytes, no ':' and no control characters`, EXIT_USAGE);
    const { readFileSync } = await import('node:fs');
    const { makeVerifier, formatVerifier } = await import('./auth/scram.js');
    let password: string;
    try {
      password = process.stdin.isTTY ? await promptHidden('Password: ') : (readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '');
    } catch (e) {
      die(`cannot read the password from stdin: ${(e as Error).message}`, EXIT_USAGE);
    }
    if (!password) die('empty password (give it on stdin, e.g. `read -rs P; echo "$P" | lakegres hash-password alice`)', EXIT_USAGE);
    process.stdout.write(`${user}:${formatVerifier(makeVerifier(password))}\n`);
  });

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let line = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else line += ch;
      }
    };
    stdin.on('data', onData);
  });
}

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
    die((e as Error).message, e instanceof ConfigError ? EXIT_USAGE : 1);
  }
  if (program.getOptionValue('printConfig')) {
    process.stdout.write(JSON.stringify({ ...config, password: config.password === undefined ? undefined : '[redacted]', catalog: config.catalog === undefined ? undefined : redactUrl(config.catalog) }, null, 2) + '\n');
    return;
  }
  if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, config.maxConnections + 8));
  const { runServer } = await import('./main.js');
  try {
    await runServer(config);
  } catch (e) {
    if (e instanceof ConfigError) die(e.message, EXIT_USAGE);
    die(e instanceof PgError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e), 1);
  }
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // exitOverride exits; anything else escaping here is a bug worth a stack trace.
  die((e as Error)?.stack ?? String(e), 1);
}
