#!/usr/bin/env node
// Creates packages/<name> with the monorepo's conventions (exports with a `source` condition, composite
// tsconfig with references, a type-check config that includes tests, a vitest project). Used once per package.
// Usage: node scripts/scaffold-package.mjs <name> "<description>" [dep ...] [--dev dep ...]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...rest] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: scaffold-package.mjs <name> "<description>" [dep ...] [--dev dep ...]');
  process.exit(2);
}
const devAt = rest.indexOf('--dev');
const deps = devAt < 0 ? rest : rest.slice(0, devAt);
const devDeps = devAt < 0 ? [] : rest.slice(devAt + 1);
const dir = join('packages', name);
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir} already exists`);
  process.exit(1);
}
mkdirSync(join(dir, 'src'), { recursive: true });
const versionOf = (d) => (d.startsWith('@fos/') ? '0.0.0' : d.split('@').pop());
const nameOf = (d) => (d.startsWith('@fos/') ? d : d.slice(0, d.lastIndexOf('@')));
const depMap = (list) => Object.fromEntries(list.map((d) => [nameOf(d), versionOf(d)]));
const pkg = {
  name: `@fos/${name}`,
  version: '0.0.0',
  description,
  license: 'MIT',
  type: 'module',
  engines: { node: '>=20.11' },
  sideEffects: false,
  exports: {
    '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.ts', 'README.md', 'CHANGELOG.md'],
  scripts: {
    build: 'tsc -b',
    typecheck: 'tsc -p tsconfig.check.json',
    lint: 'biome check src',
    test: 'vitest run',
  },
  dependencies: depMap(deps),
  ...(devDeps.length ? { devDependencies: depMap(devDeps) } : {}),
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
const refs = deps.filter((d) => d.startsWith('@fos/')).map((d) => ({ path: `../${d.slice(5)}` }));
const tsconfig = {
  extends: '../../tsconfig.base.json',
  compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
  ...(refs.length ? { references: refs } : {}),
  include: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/test-support/**'],
};
writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
const check = {
  extends: '../../tsconfig.base.json',
  compilerOptions: {
    composite: false,
    declaration: false,
    declarationMap: false,
    noEmit: true,
    rootDir: '../..',
    customConditions: ['source'],
  },
  include: ['src/**/*.ts', 'test/**/*.ts'],
};
writeFileSync(join(dir, 'tsconfig.check.json'), `${JSON.stringify(check, null, 2)}\n`);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import { defineProject, mergeConfig } from 'vitest/config';\nimport { sharedConfig } from '../../vitest.shared.ts';\n\nexport default mergeConfig(sharedConfig, defineProject({ test: { name: '${name}' } }));\n`,
);
if (!existsSync(join(dir, 'src', 'index.ts'))) writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
console.log(`created ${dir}`);
