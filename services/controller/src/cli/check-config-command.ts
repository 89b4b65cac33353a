/**
 * `check-config controller.yaml`: what `cedar-store controller` would refuse at start, every
 * problem at once with its line, without starting anything. The checks load only when the
 * command runs, so the other commands do not pay for them.
 */
import type { Command } from 'commander';
import type { CommandContext } from './command-context.js';
import { printJson, printResult } from './command-context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help.js';

export function registerCheckConfigCommand(program: Command, ctx: CommandContext): void {
  program
    .command('check-config')
    .summary('check a controller.yaml and the files it names, without starting anything')
    .description(
      'Checks a controller configuration as the controller reads it at start: the YAML, every field ' +
        '(a misspelt one gets "did you mean"), the token, secret and CA files it names and the ' +
        "database's directory. Prints each problem with its line. Files are read as the user running " +
        "the check: run it as the controller's user to see what the service will see.",
    )
    .argument('<controller.yaml>', 'the controller configuration to check')
    .option('--json', 'print {"file","ok","problems":[{"line","path","message"}]} as one JSON line on stdout')
    .addHelpText(
      'after',
      `\nExit codes:\n  0  nothing wrong found\n  2  a problem in the file or a file it names (each on its own line)\n${examples(
        [
          'cedar-store check-config /etc/cedar-store/controller.yaml',
          'sudo -u cedar-store cedar-store check-config /etc/cedar-store/controller.yaml && systemctl restart cedar-store-controller',
        ],
      )}`,
    )
    .action(async (file: string, flags: { json?: boolean }) => {
      const { checkControllerConfig } = await import('../config/check-controller-config.js');
      const { formatReport } = await import('@cedar-store/ports/config-check');
      const { problems } = await checkControllerConfig(file, ctx.env.env);
      if (flags.json) printJson(ctx, { file, ok: problems.length === 0, problems });
      else printResult(ctx, formatReport(file, problems));
      ctx.exit(problems.length === 0 ? EXIT.ok : EXIT.usage);
    });
}
