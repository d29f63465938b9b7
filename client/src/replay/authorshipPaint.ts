/**
 * Paints who last wrote each line of a Monaco editor: a tint over the line and
 * a bar in the gutter, in the writer's colour (the one their cursor has), and
 * a hover naming them. Used by the replay page and, live, by liveAuthorship.
 *
 * Colours go into one generated stylesheet keyed by a small number per user,
 * never by user id, so nothing a token carries ends up in a class name.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import type { Write } from '../../../shared/replay/authorship.js';
import { colorFor, PALETTE } from '../lib/colors.js';

type MonacoApi = typeof Monaco;

/** The relay's own writes (templates) and writers nobody could name. */
const NEUTRAL_COLOR = '#8b93a1';
const NEUTRAL_AUTHORS = new Set(['system', '']);

export interface LegendEntry {
  userId: string;
  name: string;
  color: string;
  /** Lines of the shown file this person wrote last. */
  lines: number;
}

/**
 * Authors' colours: each person's cursor colour (colorFor), unless someone
 * seen first already has it; then the first palette colour nobody has, so two
 * writers are told apart while the palette lasts. Ask in a stable order
 * (`assign`) to get the same colours on every page.
 */
export class AuthorColors {
  private readonly colors = new Map<string, string>();
  private readonly taken = new Set<string>();

  assign(userIds: Iterable<string>): this {
    for (const userId of userIds) this.of(userId);
    return this;
  }

  of(userId: string): string {
    if (NEUTRAL_AUTHORS.has(userId)) return NEUTRAL_COLOR;
    let color = this.colors.get(userId);
    if (color) return color;
    color = colorFor(userId);
    if (this.taken.has(color)) color = PALETTE.find((c) => !this.taken.has(c)) ?? color;
    this.colors.set(userId, color);
    this.taken.add(color);
    return color;
  }
}

const clock = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export class AuthorshipPainter {
  private readonly decorations: Monaco.editor.IEditorDecorationsCollection;
  private readonly style = document.createElement('style');
  private readonly keys = new Map<string, number>();

  constructor(
    private readonly monaco: MonacoApi,
    editor: Monaco.editor.ICodeEditor,
    private readonly colors: AuthorColors,
  ) {
    this.decorations = editor.createDecorationsCollection();
    document.head.append(this.style);
  }

  /** Paints `lines` (line i+1 of the model); returns the legend, most lines first. */
  paint(lines: readonly (Write | null)[], nameOf: (userId: string) => string): LegendEntry[] {
    const legend = new Map<string, LegendEntry>();
    const decorations: Monaco.editor.IModelDeltaDecoration[] = [];
    let styleChanged = false;
    lines.forEach((write, i) => {
      if (!write) return;
      const { author } = write;
      let key = this.keys.get(author);
      if (key === undefined) {
        this.keys.set(author, (key = this.keys.size));
        styleChanged = true;
      }
      let entry = legend.get(author);
      if (!entry)
        legend.set(
          author,
          (entry = { userId: author, name: nameOf(author), color: this.colors.of(author), lines: 0 }),
        );
      entry.lines++;
      decorations.push({
        range: new this.monaco.Range(i + 1, 1, i + 1, 1),
        options: {
          isWholeLine: true,
          className: `ta-line ta-u${key}`,
          linesDecorationsClassName: `ta-bar ta-u${key}`,
          hoverMessage: {
            value: `Last written by ${escapeMarkdown(entry.name)} · ${clock.format(write.at)}`,
          },
        },
      });
    });
    if (styleChanged) this.writeStyle();
    this.decorations.set(decorations);
    return [...legend.values()].sort((a, b) => b.lines - a.lines || a.name.localeCompare(b.name));
  }

  clear(): void {
    this.decorations.clear();
  }

  dispose(): void {
    this.decorations.clear();
    this.style.remove();
  }

  private writeStyle(): void {
    this.style.textContent = [...this.keys]
      .map(([userId, key]) => {
        const color = this.colors.of(userId);
        return `.ta-line.ta-u${key}{background-color:${color}1f}.ta-bar.ta-u${key}{box-shadow:inset 3px 0 0 ${color}}`;
      })
      .join('\n');
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}
