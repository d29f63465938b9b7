/**
 * Starter projects. The relay seeds a new room from one of these (never a client:
 * two clients seeding at once would duplicate the content).
 */
import type * as Y from 'yjs';
import { addFile, metaOf } from './project.js';

export interface Template {
  id: string;
  name: string;
  /** Language id the runner knows, or null for the empty project. */
  language: string | null;
  entry: string | null;
  files: Record<string, string>;
}

const t = (
  id: string,
  name: string,
  language: string | null,
  entry: string | null,
  files: Record<string, string>,
): Template => ({ id, name, language, entry, files });

export const TEMPLATES: readonly Template[] = [
  t('empty', 'Empty project', null, null, {}),
  t('python', 'Python', 'python', 'main.py', {
    'main.py': 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n\n\nprint(greet("Tandem"))\n',
  }),
  t('javascript', 'JavaScript', 'javascript', 'main.js', {
    'main.js': 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n\nconsole.log(greet("Tandem"));\n',
  }),
  t('typescript', 'TypeScript', 'typescript', 'main.ts', {
    'main.ts':
      'function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n\nconsole.log(greet("Tandem"));\n',
  }),
  t('go', 'Go', 'go', 'main.go', {
    'main.go':
      'package main\n\nimport "fmt"\n\nfunc greet(name string) string {\n\treturn fmt.Sprintf("Hello, %s!", name)\n}\n\nfunc main() {\n\tfmt.Println(greet("Tandem"))\n}\n',
  }),
  t('rust', 'Rust', 'rust', 'main.rs', {
    'main.rs':
      'fn greet(name: &str) -> String {\n    format!("Hello, {}!", name)\n}\n\nfn main() {\n    println!("{}", greet("Tandem"));\n}\n',
  }),
  t('c', 'C', 'c', 'main.c', {
    'main.c':
      '#include <stdio.h>\n\nstatic void greet(const char *name) {\n    printf("Hello, %s!\\n", name);\n}\n\nint main(void) {\n    greet("Tandem");\n    return 0;\n}\n',
  }),
  t('cpp', 'C++', 'cpp', 'main.cpp', {
    'main.cpp':
      '#include <iostream>\n#include <string>\n\nstd::string greet(const std::string &name) {\n    return "Hello, " + name + "!";\n}\n\nint main() {\n    std::cout << greet("Tandem") << std::endl;\n    return 0;\n}\n',
  }),
  t('java', 'Java', 'java', 'Main.java', {
    'Main.java':
      'public class Main {\n    static String greet(String name) {\n        return "Hello, " + name + "!";\n    }\n\n    public static void main(String[] args) {\n        System.out.println(greet("Tandem"));\n    }\n}\n',
  }),
];

export function findTemplate(id: string): Template | undefined {
  return TEMPLATES.find((template) => template.id === id);
}

/** Writes a template's files and the display meta into an empty document. */
export function seedProject(doc: Y.Doc, template: Template, roomName: string): void {
  doc.transact(() => {
    for (const [path, content] of Object.entries(template.files)) addFile(doc, path, content);
    const meta = metaOf(doc);
    meta.set('name', roomName);
    if (template.language) meta.set('language', template.language);
    if (template.entry) meta.set('entry', template.entry);
  });
}
