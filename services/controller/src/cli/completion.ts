/**
 * `cedar-store completion bash|zsh|fish`: a completion script generated from the program's own
 * commands, options and arguments, so it completes what this version of the CLI takes and
 * cannot drift from it.
 */
import { Argument, type Command, type Option } from 'commander';
import type { CommandContext } from './command-context.js';
import { printResult } from './command-context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

type OptionModel = { flags: string[]; description: string; value?: { name: string; files: boolean } };
type ArgumentModel = { name: string; description: string; choices?: string[]; files: boolean };
type CommandModel = { name: string; summary: string; options: OptionModel[]; arguments: ArgumentModel[] };
type ProgramModel = { name: string; options: OptionModel[]; commands: CommandModel[] };

export function registerCompletionCommand(program: Command, ctx: CommandContext): void {
  program
    .command('completion')
    .summary('print a completion script for bash, zsh or fish')
    .description("Prints a script that completes cedar-store's commands and options in the given shell.")
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText(
      'after',
      examples([
        'source <(cedar-store completion bash)                      # this bash session; add it to ~/.bashrc to keep it',
        'cedar-store completion bash > /etc/bash_completion.d/cedar-store',
        'cedar-store completion zsh > "${fpath[1]}/_cedar-store"      # then restart zsh',
        'cedar-store completion fish > ~/.config/fish/completions/cedar-store.fish',
      ]),
    )
    .action((shell: Shell) => {
      printResult(ctx, completionScript(shell, modelOf(program)));
      ctx.exit(EXIT.ok);
    });
}

export function completionScript(shell: Shell, model: ProgramModel): string {
  if (shell === 'bash') return bashScript(model);
  if (shell === 'zsh') return zshScript(model);
  return fishScript(model);
}

/** Names that take a path get the shell's file completion. */
const FILE_LIKE = /file|dir|yaml|conf/i;

function modelOf(program: Command): ProgramModel {
  const help = program.createHelp();
  return {
    name: program.name(),
    options: help.visibleOptions(program).map(optionModel),
    commands: help
      .visibleCommands(program)
      .filter((command) => command.name() !== 'help')
      .map((command) => ({
        name: command.name(),
        summary: command.summary() || command.description(),
        options: help.visibleOptions(command).map(optionModel),
        arguments: command.registeredArguments.map((argument) => ({
          name: argument.name(),
          description: argument.description,
          ...(argument.argChoices ? { choices: argument.argChoices } : {}),
          files: FILE_LIKE.test(argument.name()),
        })),
      })),
  };
}

function optionModel(option: Option): OptionModel {
  const flags = [option.short, option.long].filter((flag): flag is string => Boolean(flag));
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  return {
    flags,
    description: option.description,
    ...(valueName ? { value: { name: valueName, files: FILE_LIKE.test(valueName) } } : {}),
  };
}

const flagsOf = (options: OptionModel[]): string => options.flatMap((option) => option.flags).join(' ');
const valuedFlagsOf = (options: OptionModel[]): string =>
  options.flatMap((option) => (option.value ? option.flags : [])).join(' ');

function bashScript(model: ProgramModel): string {
  const fn = `_${model.name.replaceAll('-', '_')}`;
  const cases = model.commands.map((command) => {
    const choices = command.arguments.flatMap((argument) => argument.choices ?? []).join(' ');
    return [
      `    ${command.name})`,
      `      options='${flagsOf(command.options)}'`,
      `      valued=' ${valuedFlagsOf(command.options)} '`,
      `      words='${choices}'`,
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for ${model.name}, generated from its commands by: ${model.name} completion bash
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} command='' i
  local global_options='${flagsOf(model.options)}'
  local global_valued=' ${valuedFlagsOf(model.options)} '
  # The command is the first word that is neither an option nor an option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -*) [[ $global_valued == *" \${COMP_WORDS[i]} "* ]] && ((i++)) ;;
      *) command=\${COMP_WORDS[i]}; break ;;
    esac
  done
  COMPREPLY=()
  if [[ -z $command ]]; then
    [[ $global_valued == *" \${COMP_WORDS[COMP_CWORD-1]} "* ]] && return 0
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$global_options" -- "$cur"))
    else
      COMPREPLY=($(compgen -W '${model.commands.map((command) => command.name).join(' ')}' -- "$cur"))
    fi
    return 0
  fi
  local options='' valued=' ' words=''
  case $command in
${cases.join('\n')}
  esac
  # After an option that takes a value, the shell's own completion (file names) applies.
  [[ $valued$global_valued == *" \${COMP_WORDS[COMP_CWORD-1]} "* ]] && return 0
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -n $words ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  return 0
}
complete -o default -F ${fn} ${model.name}`;
}

/** Text inside a single-quoted zsh word, as an _arguments description (no [ ] or : unescaped). */
function zshText(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "'\\''")
    .replaceAll('[', '\\[')
    .replaceAll(']', '\\]')
    .replaceAll(':', '\\:');
}

function zshOptionSpecs(options: OptionModel[]): string[] {
  return options.flatMap((option) =>
    option.flags.map((flag) => {
      const value = option.value ? `:${zshText(option.value.name)}:${option.value.files ? '_files' : ' '}` : '';
      return `'${flag}[${zshText(option.description)}]${value}'`;
    }),
  );
}

function zshArgumentSpecs(command: CommandModel): string[] {
  return command.arguments.map((argument, index) => {
    const action = argument.choices ? `(${argument.choices.join(' ')})` : argument.files ? '_files' : ' ';
    return `'${index + 1}:${zshText(argument.name)}:${action}'`;
  });
}

function zshScript(model: ProgramModel): string {
  const fn = `_${model.name.replaceAll('-', '_')}`;
  const continuation = ' \\\n';
  const cases = model.commands.map((command) => {
    const specs = [...zshOptionSpecs(command.options), ...zshArgumentSpecs(command)];
    return `        ${command.name})\n          _arguments${specs.map((spec) => `${continuation}            ${spec}`).join('')} && ret=0\n          ;;`;
  });
  return `#compdef ${model.name}
# zsh completion for ${model.name}, generated from its commands by: ${model.name} completion zsh
${fn}() {
  local curcontext=$curcontext state line ret=1
  typeset -A opt_args
  local -a commands
  commands=(
${model.commands.map((command) => `    '${zshText(command.name)}:${zshText(command.summary).replaceAll('\\:', ':')}'`).join('\n')}
  )
  _arguments -C${zshOptionSpecs(model.options)
    .map((spec) => `${continuation}    ${spec}`)
    .join('')}${continuation}    '1: :->command'${continuation}    '*:: :->argument' && ret=0
  case $state in
    command)
      _describe -t commands '${model.name} command' commands && ret=0
      ;;
    argument)
      case $words[1] in
${cases.join('\n')}
      esac
      ;;
  esac
  return ret
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${model.name}
fi`;
}

function fishText(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
}

function fishOption(prefix: string, option: OptionModel): string {
  const parts = [prefix];
  for (const flag of option.flags) parts.push(flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
  parts.push(`-d '${fishText(option.description)}'`);
  if (option.value) parts.push(option.value.files ? '-r -F' : '-r');
  return parts.join(' ');
}

function fishScript(model: ProgramModel): string {
  const lines = [
    `# fish completion for ${model.name}, generated from its commands by: ${model.name} completion fish`,
    `complete -c ${model.name} -f`,
    ...model.options.map((option) => fishOption(`complete -c ${model.name}`, option)),
    ...model.commands.map(
      (command) =>
        `complete -c ${model.name} -n __fish_use_subcommand -a ${command.name} -d '${fishText(command.summary)}'`,
    ),
  ];
  for (const command of model.commands) {
    const when = `complete -c ${model.name} -n '__fish_seen_subcommand_from ${command.name}'`;
    lines.push(...command.options.map((option) => fishOption(when, option)));
    for (const argument of command.arguments) {
      if (argument.choices) lines.push(`${when} -a '${argument.choices.join(' ')}'`);
      else if (argument.files) lines.push(`${when} -F`);
    }
  }
  return lines.join('\n');
}
