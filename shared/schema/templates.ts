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
  /**
   * The dev server of a web project: the command that serves it in the room's
   * workspace (a room of this template opens with it running and its preview
   * shown). Null for projects that run, not serve.
   */
  dev: string | null;
}

const t = (
  id: string,
  name: string,
  language: string | null,
  entry: string | null,
  files: Record<string, string>,
  dev: string | null = null,
): Template => ({ id, name, language, entry, files, dev });

/**
 * Versions of the web templates' packages: exactly what the workspace image's
 * npm cache holds (runner/images/workspace.npm.json), so they install with no
 * registry; templates.test.ts keeps the two in step.
 */
export const WEB_PACKAGES = {
  react: '19.3.1',
  'react-dom': '19.3.1',
  vite: '7.3.8',
  '@vitejs/plugin-react': '5.2.0',
  express: '5.3.0',
} as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
/** Installs from the image's cache (or through the runner's registry proxy), then serves. */
const NPM_DEV = 'npm install --no-audit --no-fund && npm run dev';

const REACT_FILES: Record<string, string> = {
  'package.json': json({
    name: 'react-app',
    private: true,
    type: 'module',
    scripts: { dev: 'vite', build: 'vite build' },
    dependencies: { react: WEB_PACKAGES.react, 'react-dom': WEB_PACKAGES['react-dom'] },
    devDependencies: {
      vite: WEB_PACKAGES.vite,
      '@vitejs/plugin-react': WEB_PACKAGES['@vitejs/plugin-react'],
    },
  }),
  'vite.config.js': [
    "import { defineConfig } from 'vite';",
    "import react from '@vitejs/plugin-react';",
    '',
    '// The preview reaches this server through Tandem, on a port of its own origin:',
    '// the page and its hot-reload socket use whatever address the browser used.',
    'export default defineConfig({',
    '  plugins: [react()],',
    "  server: { host: '127.0.0.1', port: 5173, strictPort: true },",
    '});',
    '',
  ].join('\n'),
  'index.html': [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="UTF-8" />',
    '    <meta name="viewport" content="width=device-width, initial-scale=1.0" />',
    '    <title>React app</title>',
    '  </head>',
    '  <body>',
    '    <div id="root"></div>',
    '    <script type="module" src="/src/main.jsx"></script>',
    '  </body>',
    '</html>',
    '',
  ].join('\n'),
  'src/main.jsx': [
    "import { StrictMode } from 'react';",
    "import { createRoot } from 'react-dom/client';",
    "import App from './App.jsx';",
    "import './App.css';",
    '',
    "createRoot(document.getElementById('root')).render(",
    '  <StrictMode>',
    '    <App />',
    '  </StrictMode>,',
    ');',
    '',
  ].join('\n'),
  'src/App.jsx': [
    "import { useState } from 'react';",
    '',
    'export default function App() {',
    '  const [count, setCount] = useState(0);',
    '  return (',
    '    <main>',
    '      <h1>Hello from React</h1>',
    '      <button onClick={() => setCount((n) => n + 1)}>Clicked {count} times</button>',
    '      <p>Edit src/App.jsx: the preview updates as you type.</p>',
    '    </main>',
    '  );',
    '}',
    '',
  ].join('\n'),
  'src/App.css': [
    'body { font-family: system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; }',
    'main { text-align: center; }',
    'button { font-size: 1rem; padding: 0.5rem 1rem; border-radius: 8px; border: 1px solid #888; cursor: pointer; }',
    '',
  ].join('\n'),
};

const EXPRESS_FILES: Record<string, string> = {
  'package.json': json({
    name: 'express-app',
    private: true,
    scripts: { dev: 'node --watch server.js', start: 'node server.js' },
    dependencies: { express: WEB_PACKAGES.express },
  }),
  'server.js': [
    "const express = require('express');",
    '',
    'const app = express();',
    'app.use(express.json());',
    "app.use(express.static('public'));",
    '',
    "app.get('/api/hello', (req, res) => {",
    "  res.json({ message: 'Hello from Express', at: new Date().toISOString() });",
    '});',
    '',
    '// Saving restarts the server (node --watch); the preview shows the new one.',
    "app.listen(3000, '127.0.0.1', () => console.log('listening on http://localhost:3000'));",
    '',
  ].join('\n'),
  'public/index.html': [
    '<!doctype html>',
    '<html lang="en">',
    '  <head><meta charset="UTF-8" /><title>Express app</title></head>',
    '  <body>',
    '    <h1>Express</h1>',
    '    <p id="answer">Asking the server…</p>',
    '    <script>',
    "      fetch('/api/hello')",
    '        .then((r) => r.json())',
    "        .then((body) => (document.getElementById('answer').textContent = body.message));",
    '    </script>',
    '  </body>',
    '</html>',
    '',
  ].join('\n'),
};

const FLASK_FILES: Record<string, string> = {
  'app.py': [
    'from flask import Flask, jsonify',
    '',
    'app = Flask(__name__)',
    '',
    '',
    '@app.route("/")',
    'def index():',
    '    return "<h1>Hello from Flask</h1><p>Edit app.py: the server reloads when you save.</p>"',
    '',
    '',
    '@app.route("/api/hello")',
    'def hello():',
    '    return jsonify(message="Hello from Flask")',
    '',
  ].join('\n'),
};

const STATIC_FILES: Record<string, string> = {
  'index.html': [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="UTF-8" />',
    '    <title>My page</title>',
    '    <link rel="stylesheet" href="style.css" />',
    '  </head>',
    '  <body>',
    '    <h1>Hello, web</h1>',
    '    <button id="greet">Greet</button>',
    '    <script src="script.js"></script>',
    '  </body>',
    '</html>',
    '',
  ].join('\n'),
  'style.css': 'body { font-family: system-ui, sans-serif; margin: 2rem; }\nh1 { color: #3b5bdb; }\n',
  'script.js':
    "document.getElementById('greet').addEventListener('click', () => {\n  document.querySelector('h1').textContent = 'Hello from script.js';\n});\n",
};

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
  t('react', 'React + Vite', null, null, REACT_FILES, NPM_DEV),
  t('express', 'Express', null, null, EXPRESS_FILES, NPM_DEV),
  t('flask', 'Flask', null, null, FLASK_FILES, 'flask --app app run --debug --host 127.0.0.1 --port 5000'),
  t(
    'static',
    'HTML, CSS and JavaScript',
    null,
    null,
    STATIC_FILES,
    'python3 -m http.server 8000 --bind 127.0.0.1',
  ),
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
    if (template.dev) meta.set('dev', template.dev);
  });
}
