/**
 * Terraform (`helm_release`, modules) is not YAML and is never edited: the refusal says so and names
 * the lines to change — each `version = "…"` of a helm_release, and each line holding the running
 * version (a `set { name = "image.tag" … }`, a values heredoc), under its block.
 */
import { terraformText } from '../../report/bump-text.js';
import { stripV, versionToken } from './version.js';

const TERRAFORM_BLOCK = /^[ \t]*(resource|module|data|provider|terraform|variable|locals|output)\b[^\n=]*\{[ \t\r]*$/m;

export function isTerraform(path: string, text: string): boolean {
  return /\.(tf|tf\.json|hcl)$/i.test(path) || TERRAFORM_BLOCK.test(text);
}

export function terraformRefusal(primary: string, text: string, fromVersion: string): string {
  let block = '';
  const lines: string[] = [];
  text.split('\n').forEach((line, i) => {
    const header = /^\s*(resource|module|data)\s+("[^"]*"(\s+"[^"]*")?)/.exec(line);
    if (header) block = `${header[1]} ${header[2]}`;
    const version = /^\s*version\s*=\s*"[^"]*"/.exec(line);
    const running = line.search(versionToken(fromVersion)) >= 0;
    // A module's own version (`~> 1.16`) is not the chart's; a helm_release's is, whatever it says.
    if ((version && block.startsWith('resource "helm_release"')) || running) {
      lines.push(`line ${i + 1}: ${(version?.[0] ?? line).trim()}${block ? ` (${block})` : ''}`);
    }
  });
  return terraformText(primary, lines, stripV(fromVersion));
}
