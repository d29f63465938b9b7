import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { isValidPath } from './paths.js';
import { findFile, listFiles, metaOf, snapshotFiles } from './project.js';
import { TEMPLATES, WEB_PACKAGES, findTemplate, seedProject } from './templates.js';

describe('templates', () => {
  it('have unique ids and names', () => {
    const ids = TEMPLATES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(TEMPLATES.map((t) => t.name)).size).toBe(TEMPLATES.length);
    expect(ids).toContain('empty');
  });

  it('findTemplate finds each by id and nothing else', () => {
    for (const template of TEMPLATES) expect(findTemplate(template.id)).toBe(template);
    expect(findTemplate('cobol')).toBeUndefined();
    expect(findTemplate('')).toBeUndefined();
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s: paths are valid and entry and language agree',
    (_id, t) => {
      for (const path of Object.keys(t.files)) expect(isValidPath(path), path).toBe(true);
      if (t.entry === null) {
        expect(t.language).toBeNull();
      } else {
        expect(t.language).not.toBeNull();
        expect(Object.keys(t.files)).toContain(t.entry);
      }
    },
  );

  it.each(TEMPLATES.map((t) => [t.id, t] as const))('%s: seeding writes its files and meta', (_id, t) => {
    const doc = new Y.Doc();
    seedProject(doc, t, 'My room');
    expect(listFiles(doc).map((f) => f.path)).toEqual(Object.keys(t.files).sort());
    expect(snapshotFiles(doc)).toEqual(t.files);
    if (t.entry !== null) expect(findFile(doc, t.entry)?.text.toString()).toBe(t.files[t.entry]);
    const meta = metaOf(doc).toJSON();
    expect(meta).toEqual({
      name: 'My room',
      ...(t.language ? { language: t.language } : {}),
      ...(t.entry ? { entry: t.entry } : {}),
      ...(t.dev ? { dev: t.dev } : {}),
    });
  });

  it('web templates use exactly the package versions the workspace image caches', () => {
    const web = TEMPLATES.filter((t) => t.files['package.json']);
    expect(web.map((t) => t.id).sort()).toEqual(['express', 'react']);
    for (const t of web) {
      const pkg = JSON.parse(t.files['package.json']!) as Record<string, Record<string, string> | undefined>;
      for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
        expect(WEB_PACKAGES[name as keyof typeof WEB_PACKAGES], `${t.id}: ${name}`).toBe(version);
      }
      expect(t.dev).toMatch(/^npm install .*&& npm run dev$/);
    }
  });

  it('seeding is one transaction, so it leaves as one update', () => {
    const doc = new Y.Doc();
    let updates = 0;
    doc.on('update', () => updates++);
    seedProject(doc, findTemplate('python')!, 'r');
    expect(updates).toBe(1);
  });
});
