// Builds the one stylesheet every page loads: the part of Bootstrap's CSS the pages use, then
// our own CSS files, minified, into ifm/static/ifm/build/site.css (not committed; `make assets`,
// `make install` and `npm run build` write it). See docs/frontend.md.
//
// Which Bootstrap rules stay: PurgeCSS keeps a selector when each class in it appears as a word
// in a template, a Python module or one of our scripts, or matches the SAFELIST below (classes
// Bootstrap's JavaScript and htmx add while the page runs, and classes templates build from a
// variable, such as "alert-{{ message.tags }}").
//
// Usage: node scripts/build-css.mjs [--check | --out FILE]
//   --check: exit 1 when the file on disk is not what the sources give; --out: write elsewhere.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { PurgeCSS } from "purgecss";
import CleanCSS from "clean-css";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const OUTPUT = join(ROOT, "ifm/static/ifm/build/site.css");

// Bootstrap first; then ours, in the order the cascade needs: app.css (additions),
// responsive.css (phones), a11y.css (contrast fixes that must win over Bootstrap), then each
// app's own file (ifm/<app>/static/<app>/*.css), which may refine the rules before it.
const BOOTSTRAP = "node_modules/bootstrap/dist/css/bootstrap.css";
const OURS_FIRST = ["ifm/static/ifm/app.css", "ifm/static/ifm/responsive.css", "ifm/static/ifm/a11y.css"];

// What the pages are made of. e2e/ and tests are not scanned: a class only a test mentions is
// not one a page uses.
const CONTENT = [
  "ifm/**/templates/**/*.html",
  "ifm/**/*.py",
  "ifm/**/static/**/*.js",
];
const CONTENT_IGNORE = ["**/tests/**", "**/test_*.py", "**/migrations/**", "ifm/static/ifm/build/**"];

// Classes added at run time (never written in our sources) or built from a template variable.
export const SAFELIST = {
  standard: [
    // Bootstrap's JavaScript: collapse (the navigation on phones), dropdowns, dismissible
    // alerts; a modal's and a tooltip's run-time classes should a page start using them.
    "show", "showing", "hiding", "fade", "collapse", "collapsing", "active", "disabled",
    "modal-open", "modal-backdrop", "modal-static", "tooltip", "tooltip-inner", "tooltip-arrow",
    // Forms after a check (ours and Bootstrap's).
    "was-validated", "is-invalid", "is-valid", "invalid-feedback", "valid-feedback",
    // htmx.
    "htmx-request", "htmx-indicator", "htmx-added", "htmx-settling", "htmx-swapping",
    // Our scripts (nav.js turns wide tables into cards).
    "table-stack", "table-stack-off",
  ],
  // Families a template picks with a variable ("alert-{{ tags }}", "text-{{ align }}", ...).
  greedy: [
    /^alert-(primary|secondary|success|info|warning|danger|light|dark)$/,
    /^text-bg-/,
    /^text-(start|end|center)$/,
    /^ps-[0-5]$/,
    /^w-(25|50|75|100)$/,
    /^ledger-indent-/,
  ],
};
// Attributes Bootstrap's JavaScript sets (a dropdown's placement), read as page content.
const RUNTIME_CONTENT = "data-bs-popper aria-expanded aria-current aria-selected";

// Each app's own stylesheets: ifm/<app>/static/<app>/*.css, in name order.
function appStylesheets() {
  const found = [];
  for (const app of readdirSync(join(ROOT, "ifm")).sort()) {
    const dir = join(ROOT, "ifm", app, "static", app);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".css")) found.push(join(dir, f));
  }
  return found;
}

export async function build() {
  const ours = [...OURS_FIRST.map((f) => join(ROOT, f)), ...appStylesheets()];
  const [bootstrap] = await new PurgeCSS().purge({
    content: [...CONTENT.map((p) => join(ROOT, p)), { raw: RUNTIME_CONTENT, extension: "html" }],
    skippedContentGlobs: CONTENT_IGNORE.map((p) => join(ROOT, p)),
    css: [join(ROOT, BOOTSTRAP)],
    safelist: SAFELIST,
    variables: true, // drop custom properties nothing reads
    keyframes: true,
    fontFace: true,
  });
  // Our files are kept whole except an @font-face no rule uses (the old icon font's).
  const [ourPurged] = await new PurgeCSS().purge({
    content: [{ raw: ours.map((f) => readFileSync(f, "utf8")).join("\n"), extension: "css" }],
    css: [{ raw: ours.map((f) => `/* ${relative(ROOT, f)} */\n` + readFileSync(f, "utf8")).join("\n") }],
    safelist: { greedy: [/.*/] },
    fontFace: true,
  });
  const joined = bootstrap.css + "\n" + ourPurged.css;
  const out = new CleanCSS({ level: 1, inline: false, rebase: false }).minify(joined);
  if (out.errors.length) throw new Error(out.errors.join("\n"));
  return out.styles + "\n";
}

async function main() {
  const css = await build();
  if (process.argv.includes("--check")) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, "utf8") : "";
    if (current !== css) {
      console.error(`${relative(ROOT, OUTPUT)} is out of date: run \`make assets\`.`);
      process.exit(1);
    }
    return;
  }
  const at = process.argv.indexOf("--out");
  const target = at > 0 ? process.argv[at + 1] : OUTPUT;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, css);
  console.log(`${relative(ROOT, target)}: ${(css.length / 1024).toFixed(1)} KiB`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
