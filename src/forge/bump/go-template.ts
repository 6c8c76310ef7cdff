/**
 * Go templates in GitOps files (Helmfile `.gotmpl`, values rendered by a tool): a version written inside
 * `{{ … }}` (`version: {{ .Values.v | default "v1.12.2" }}`) is read by the template, never edited. Each
 * such line is named, so a bump never leaves it behind unseen.
 */
import { templatedVersionText } from '../../report/bump-text.js';
import type { Sighting } from './types.js';
import { stripV, versionToken } from './version.js';

/** Lines of `text` holding `version` between `{{` and `}}`, as refusals (`path`: `line N`). */
export function templatedVersions(file: string, text: string, version: string): Sighting[] {
  const out: Sighting[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(versionToken(version))) {
      const open = line.lastIndexOf('{{', m.index);
      const close = line.lastIndexOf('}}', m.index);
      if (open < 0 || close > open || line.indexOf('}}', m.index) < 0) continue;
      const value = line.trim();
      out.push({
        file,
        resource: '',
        path: `line ${i + 1}`,
        value,
        kind: 'refused',
        reason: templatedVersionText(stripV(version)),
      });
      return;
    }
  });
  return out;
}
