// Builds the live editor's bundle, ../assets/live.js, from src/live.js: minified, one
// file, headed by the name, version and licence of every package bundled into it.
// The same sources and lock file always give the same bytes (CI checks the committed file).
import * as esbuild from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";

const out = "../assets/live.js";
const result = await esbuild.build({
  entryPoints: ["src/live.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "eof",
  metafile: true,
  write: false,
  outfile: out,
});
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const credits = [...packages].sort().map((name) => {
  const meta = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  return ` * ${name} ${meta.version} (${meta.license})`;
});
const banner = `/*! Hindsight live editor, built by crates/server/web/build.mjs. Bundled packages:\n${credits.join("\n")}\n */\n`;
writeFileSync(out, banner + result.outputFiles[0].text);
