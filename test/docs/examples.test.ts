import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'

// Every public function and every public method of an exported class has a JSDoc `@example`
// a user can paste (specs/architecture.md, Decisions). The entry points are the ones
// users import: package.json `exports`, read back from dist/*.d.ts to the src/*.ts they are
// built from. One program, symbols resolved across our own modules only: the test reads the
// source, it does not type-check it.

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>
  }
  return Object.values(pkg.exports)
    .map((target) => (typeof target === 'string' ? undefined : target.types))
    .filter((types): types is string => types !== undefined)
    .map((types) => join(root, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')))
}

function hasExample(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'example')
}

function isPublicMethod(member: ts.ClassElement): member is ts.MethodDeclaration {
  if (!ts.isMethodDeclaration(member) || ts.isPrivateIdentifier(member.name)) return false
  return (ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0
}

/** What the entry points export without an `@example`: `name (file)` or `Class.method (file)`. */
function missingExamples(entries: string[]): string[] {
  // Only the project's own files are read: what node_modules declares is not ours to document,
  // and leaving it out keeps the program small.
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    jsx: ts.JsxEmit.ReactJSX,
    jsxImportSource: 'preact',
    noLib: true,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, ...rest) =>
    fileName.includes('/node_modules/') ? undefined : getSourceFile(fileName, ...rest)
  const program = ts.createProgram({ rootNames: entries, options, host })
  const checker = program.getTypeChecker()
  const missing = new Set<string>()
  const where = (node: ts.Node) => relative(root, node.getSourceFile().fileName)

  for (const entry of entries) {
    const file = program.getSourceFile(entry)
    const module = file && checker.getSymbolAtLocation(file)
    if (!module) throw new Error(`entry point ${relative(root, entry)} not found`)
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = symbol.declarations ?? []
      const functions = declarations.filter(
        (d) =>
          ts.isFunctionDeclaration(d) ||
          (ts.isVariableDeclaration(d) &&
            d.initializer !== undefined &&
            (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))),
      )
      // An overloaded function is documented once, on any of its declarations.
      if (functions.length > 0 && !functions.some((d) => hasExample(d) || hasExample(d.parent.parent))) {
        missing.add(`${exported.name} (${where(functions[0]!)})`)
      }
      for (const cls of declarations.filter(ts.isClassDeclaration)) {
        if (!hasExample(cls)) missing.add(`class ${exported.name} (${where(cls)})`)
        const methods = new Map<string, ts.MethodDeclaration[]>()
        for (const member of cls.members.filter(isPublicMethod)) {
          const name = member.name.getText()
          methods.set(name, [...(methods.get(name) ?? []), member])
        }
        for (const [name, overloads] of methods) {
          if (!overloads.some(hasExample)) missing.add(`${exported.name}.${name} (${where(cls)})`)
        }
      }
    }
  }
  return [...missing].sort()
}

describe('public API documentation', () => {
  it('reads every entry point of package.json exports', () => {
    const entries = entryPoints().map((entry) => relative(root, entry))
    expect(entries).toEqual(
      expect.arrayContaining(['src/index.ts', 'src/opentelemetry/index.ts', 'src/store/sqlite.ts', 'src/store/postgres.ts']),
    )
  })

  it('gives every public function and method an @example', () => {
    const missing = missingExamples(entryPoints())
    expect(missing, `without a JSDoc @example:\n  ${missing.join('\n  ')}\n`).toEqual([])
  })
})
