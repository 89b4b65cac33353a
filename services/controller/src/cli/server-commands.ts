/**
 * `controller` and `local`: the commands that run servers rather than talk to one. Only
 * their command lines live here; how they start is the caller's (`CliEnvironment`).
 */
import type { Command } from 'commander';
import { parsePort } from './arguments.js';
import type { CommandContext } from './command-context.js';
import { examples } from './help.js';

export function registerServerCommands(program: Command, ctx: CommandContext): void {
  program
    .command('controller')
    .summary('run the controller service (HTTP API, run queues, catalog)')
    .description(
      'Runs the controller: the HTTP API the client commands talk to, the per-device run queues, ' +
        'the run history and the media catalog. Stops cleanly on SIGTERM or SIGINT.',
    )
    .requiredOption('-c, --config <file>', 'the controller configuration (YAML)')
    .addHelpText(
      'after',
      `\nEnvironment:\n  CEDAR_STORE_TOKEN   the API token (overrides auth.token / auth.tokenFile)\n${examples([
        'cedar-store controller --config /etc/cedar-store/controller.yaml',
      ])}`,
    )
    .action(async (flags: { config: string }) => {
      ctx.exit(await ctx.env.serverCommands.controller({ config: flags.config }));
    });

  program
    .command('local')
    .summary('run an agent, a controller and a virtual dvd+rw on loopback')
    .description(
      'Runs a whole stack on this host for trying cedar-store out: a device agent with a virtual ' +
        'dvd+rw (an ISO file), and a controller, both on 127.0.0.1. Staging, media, database and ' +
        'tokens live under --dir; the tokens are created once (mode 0600) and printed.',
    )
    .option('--dir <dir>', 'where the stack keeps its state', './var')
    .option('--port <port>', "the controller's port (default 7700; 0 picks a free one)", parsePort)
    .addHelpText(
      'after',
      examples([
        'cedar-store local',
        'cedar-store local --dir /tmp/cedar --port 7800',
        '# then, in another shell, with the token it printed:',
        'CEDAR_STORE_TOKEN=… cedar-store store',
      ]),
    )
    .action(async (flags: { dir: string; port?: number }) => {
      ctx.exit(
        await ctx.env.serverCommands.local(
          flags.port === undefined ? { dir: flags.dir } : { dir: flags.dir, port: flags.port },
        ),
      );
    });
}
