/**
 * @engagekit/cli — the `engagekit` command. `run(args, io)` runs it in-process (tests, embedding);
 * `main(argv)` is what the bin calls.
 *
 * @packageDocumentation
 */
export { type DemoOptions, type DemoResult, runDemo } from './commands/demo';
export { CREDENTIALS, type CredentialSpec, PROVIDER_IDS, type ProviderId } from './credentials';
export { FORMATS, type Format, renderTable } from './format';
export type { CliIO, CliStream } from './io';
export { MissingCredentialsError, UsageError } from './io';
export { main } from './main';
export { buildProgram, EXIT, run, VERSION } from './run';
