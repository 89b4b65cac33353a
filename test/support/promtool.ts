/**
 * Prometheus's own checker of metrics and rules (`promtool`, Debian package `prometheus`,
 * installed by scripts/install-system-packages.sh and CI). A test that needs it fails with
 * the way to install it rather than skipping, so a missing checker is never a silent pass.
 */
import { execa } from 'execa';

export async function promtool(args: string[], input?: string): Promise<{ code: number; output: string }> {
  const result = await execa('promtool', args, { reject: false, all: true, ...(input === undefined ? {} : { input }) });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: install the Debian package prometheus (bash scripts/install-system-packages.sh does)',
    );
  }
  return { code: result.exitCode ?? -1, output: result.all ?? '' };
}
