/**
 * The languages the runner executes: which image family serves each, and the
 * shell script that compiles (where needed) and runs the entry file.
 *
 * A script runs under /bin/sh in /work (the project's root) with the entry path
 * as "$1": it is never spliced into the script text, and it has passed
 * normalizePath (relative, no `..`, no control characters), so "./$1" can never
 * read as an option. Build outputs go to /tmp, a separate tmpfs.
 *
 * Images: tandem-<family>:<recipe hash>, built by scripts/build-images from
 * runner/images/. The hash is computed here the same way, so the runner needs no
 * state file to find them. TANDEM_IMAGE_<LANGUAGE> overrides one language's
 * image (a production host can point at official images; they need /bin/sh and
 * GNU coreutils `head` and `tar`, which every Debian-based image has).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultEntry, type LanguageId } from '../shared/languages.js';

/** Language families serve runs; `workspace` is the image of rooms' live workspaces. */
export type ImageFamily = 'python' | 'node' | 'native' | 'java' | 'workspace';
export const IMAGE_FAMILIES: readonly ImageFamily[] = ['python', 'node', 'native', 'java', 'workspace'];

export interface LanguageSpec {
  id: LanguageId;
  family: ImageFamily;
  /** Default entry file. */
  entry: string;
  /** When set, the entry file must end with one of these (the build derives names from it). */
  extensions?: readonly string[];
  /** Compiles and runs "$1" from /work; its exit status is the run's. */
  script: string;
  /**
   * The interactive program of a terminal run, started on a pseudo-terminal in
   * /work with the entry in $TANDEM_ENTRY. No single quotes (it is quoted once).
   * Default: a bash shell.
   */
  terminal?: string;
}

/** A shell for languages without a REPL of their own: compile and run by hand. */
export const TERMINAL_SHELL = 'bash --norc --noprofile -i';

export function terminalCommand(language: LanguageId): string {
  return LANGUAGE_SPECS[language].terminal ?? TERMINAL_SHELL;
}

const BIN = '/tmp/tandem-build/app';
/**
 * How a script starts the program itself: its stderr joins its stdout, so an
 * error line or a traceback stays where the program wrote it among its
 * output, as on a terminal. Two pipes reach Docker's attach stream in
 * whichever order its copiers wake, so a line written a moment later could
 * show first. Compilers before it keep stderr: build errors still stand out.
 */
const EXEC = 'exec 2>&1';

// C and C++ compile every source file in the entry's folder (a small multi-file
// project works), then run from the project root.
const compileFolder = (compiler: string, flags: string, patterns: string) => `entry=$1
mkdir -p /tmp/tandem-build
cd "$(dirname "./$entry")" || exit 1
set --
for f in ${patterns}; do [ -f "$f" ] && set -- "$@" "$f"; done
${compiler} ${flags} -o ${BIN} "$@" -lm || exit $?
cd /work && ${EXEC} ${BIN}`;

export const LANGUAGE_SPECS: Readonly<Record<LanguageId, LanguageSpec>> = {
  python: {
    id: 'python',
    family: 'python',
    entry: defaultEntry('python'),
    script: `${EXEC} python3 -u "./$1"`,
    // The entry runs first, then the REPL keeps its names: a shared scratchpad.
    terminal: 'python3 -q -i "./$TANDEM_ENTRY"',
  },
  javascript: {
    id: 'javascript',
    family: 'node',
    entry: defaultEntry('javascript'),
    script: `${EXEC} node "./$1"`,
    terminal: 'node',
  },
  typescript: {
    id: 'typescript',
    family: 'node',
    entry: defaultEntry('typescript'),
    extensions: ['.ts'],
    // Debian ships no @types/node: type errors are shown on stderr but the
    // emitted JavaScript still runs (tsc exits 2 when it emitted, 1 when not).
    script: `tsc --outDir /tmp/tandem-build --rootDir . --target es2020 --module commonjs --moduleResolution node \\
  --esModuleInterop --skipLibCheck --pretty false "./$1" 1>&2
status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || exit "$status"
${EXEC} node "/tmp/tandem-build/\${1%.ts}.js"`,
  },
  go: {
    id: 'go',
    family: 'native',
    entry: defaultEntry('go'),
    // The entry's folder is the main package; without go.mod it builds in
    // GOPATH mode, so a lone main.go needs no module file.
    script: `export GOCACHE=/tmp/go-cache GOPATH=/tmp/go GOPROXY=off
cd "$(dirname "./$1")" || exit 1
if [ -f go.mod ]; then go build -o ${BIN} . ; else GO111MODULE=off go build -o ${BIN} . ; fi || exit $?
cd /work && ${EXEC} ${BIN}`,
  },
  rust: {
    id: 'rust',
    family: 'native',
    entry: defaultEntry('rust'),
    extensions: ['.rs'],
    script: `mkdir -p /tmp/tandem-build
rustc --edition 2021 -C opt-level=1 -C debuginfo=0 -o ${BIN} "./$1" || exit $?
${EXEC} ${BIN}`,
  },
  c: {
    id: 'c',
    family: 'native',
    entry: defaultEntry('c'),
    extensions: ['.c'],
    script: compileFolder('gcc', '-std=gnu17 -O2 -Wall', './*.c'),
  },
  cpp: {
    id: 'cpp',
    family: 'native',
    entry: defaultEntry('cpp'),
    extensions: ['.cpp', '.cc', '.cxx'],
    script: compileFolder('g++', '-std=gnu++17 -O2 -Wall', './*.cpp ./*.cc ./*.cxx'),
  },
  java: {
    id: 'java',
    family: 'java',
    entry: defaultEntry('java'),
    extensions: ['.java'],
    // javac finds the entry's other classes through -sourcepath (the folder above
    // the entry's package); the class to run is <package>.<file name>.
    script: `entry=$1
pkg=$(sed -n 's/^[[:space:]]*package[[:space:]]\\{1,\\}\\([A-Za-z0-9_.]\\{1,\\}\\)[[:space:]]*;.*/\\1/p' "./$entry" | head -n 1)
dir=$(dirname "./$entry")
src=$dir
if [ -n "$pkg" ]; then
  pkgdir=$(printf '%s' "$pkg" | tr . /)
  case "$dir" in */"$pkgdir") src=\${dir%/"$pkgdir"} ;; esac
fi
jvm="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss1m"
javac -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -encoding UTF-8 -d /tmp/tandem-build -sourcepath "$src" "./$entry" || exit $?
${EXEC} java $jvm -cp /tmp/tandem-build "\${pkg:+$pkg.}$(basename "$entry" .java)"`,
  },
};

export function languageSpec(language: LanguageId): LanguageSpec {
  return LANGUAGE_SPECS[language];
}

/** runner/images/: beside this file, or two folders up from the bundle npm run build:server makes. */
const IMAGES_DIR = [new URL('./images/', import.meta.url), new URL('../../runner/images/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(join(dir, 'recipe.conf')))!;
const RECIPE_HASH_CHARS = 12;
const hashes = new Map<ImageFamily, string>();

/**
 * The tag scripts/build-images gives a family: sha256 over recipe.conf,
 * <family>.packages and finish.sh, each as "name\n" + content. Must stay byte
 * for byte what recipe_hash in scripts/build-images computes (a test checks).
 */
export function recipeHash(family: ImageFamily, imagesDir = IMAGES_DIR): string {
  const cached = imagesDir === IMAGES_DIR ? hashes.get(family) : undefined;
  if (cached) return cached;
  const hash = createHash('sha256');
  // A family's own extra files (<family>.* besides .packages) follow, by name.
  const extras = readdirSync(imagesDir)
    .filter((name) => name.startsWith(`${family}.`) && name !== `${family}.packages`)
    .sort();
  for (const file of ['recipe.conf', `${family}.packages`, 'finish.sh', ...extras]) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(`${imagesDir}/${file}`));
  }
  const hex = hash.digest('hex').slice(0, RECIPE_HASH_CHARS);
  if (imagesDir === IMAGES_DIR) hashes.set(family, hex);
  return hex;
}

/** The image scripts/build-images builds for a family, e.g. tandem-python:807f581d4ec0. */
export function builtImage(family: ImageFamily): string {
  return `tandem-${family}:${recipeHash(family)}`;
}

// A reference as `docker image ls` writes it: [registry[:port]/]path[:tag][@digest].
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function imageEnvVar(language: LanguageId): string {
  return `TANDEM_IMAGE_${language.toUpperCase()}`;
}

/**
 * The image that serves a language: TANDEM_IMAGE_<LANGUAGE> when set (operator
 * configuration, validated), else the tag scripts/build-images builds.
 */
export function resolveImage(language: LanguageId, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[imageEnvVar(language)]?.trim();
  if (configured) {
    if (!IMAGE_REF.test(configured)) {
      throw new Error(`${imageEnvVar(language)}=${JSON.stringify(configured)} is not an image reference`);
    }
    return configured;
  }
  return builtImage(LANGUAGE_SPECS[language].family);
}
