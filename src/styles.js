// The form's stylesheet, and how a root gets it: a module of its own beside the element
// (element.js), which styles its skeleton with it, and the widget (src/style.rs), which styles
// the form. Both are wasm-bindgen snippets of the same crate, copied side by side, so the
// element's `import … from './styles.js'` finds this file in the package as in the source.

// The form's stylesheet and the skeleton's, one text: kept in the JS rather than in the wasm,
// so that the skeleton (drawn before the wasm runs, element.js) and the form adopt one sheet,
// and the two sets of rules compress together with the rest of the package's module (−0.4 kB
// gzip shipped, README, Size).
// One rule per line and no comments (they would ship). After the form's own rules come the
// reference lists (customer group select, tag suggestions) and locked fields
// (reference_field.rs, field.rs); the tags' chips and combobox (tags_field.rs); the row
// editors, metadata and Count contacts (rows.rs); countries, same-as-billing and the
// anonymization danger zone (country_field.rs, anonymization.rs); last, the skeleton shown while
// the WebAssembly loads: the same shapes and colours as the form's own loading state, under
// class names of its own so the two never mix.
const STYLES = `:host{display:block}
.cf-host{display:contents}
.cf{--_font:var(--cf-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);--_text:var(--cf-color-text,#1f2328);--_muted:var(--cf-color-muted,#57606a);--_bg:var(--cf-color-background,#fff);--_field:var(--cf-color-field,#fff);--_border:var(--cf-color-border,#8c959f);--_accent:var(--cf-color-primary,#0b57d0);--_on-accent:var(--cf-color-on-primary,#fff);--_danger:var(--cf-color-danger,#b3261e);--_danger-bg:var(--cf-color-danger-background,#fdecea);--_ok:var(--cf-color-success,#116329);--_focus:var(--cf-color-focus,#0b57d0);--_skeleton:var(--cf-color-skeleton,#e8eaed);--_radius:var(--cf-radius,6px);--_space:var(--cf-spacing,12px);--_size:var(--cf-font-size,15px);
font-family:var(--_font);color:var(--_text);background:var(--_bg);font-size:var(--_size);line-height:1.45;color-scheme:light}
.cf[data-theme=dark]{--_text:var(--cf-color-text,#e3e3e3);--_muted:var(--cf-color-muted,#b4b8bd);--_bg:var(--cf-color-background,#1b1c1f);--_field:var(--cf-color-field,#26282c);--_border:var(--cf-color-border,#8e9196);--_accent:var(--cf-color-primary,#8ab4f8);--_on-accent:var(--cf-color-on-primary,#0b1a33);--_danger:var(--cf-color-danger,#f2b8b5);--_danger-bg:var(--cf-color-danger-background,#3c1f1e);--_ok:var(--cf-color-success,#8bd49e);--_focus:var(--cf-color-focus,#8ab4f8);--_skeleton:var(--cf-color-skeleton,#34363b);color-scheme:dark}
.cf-form{display:grid;gap:var(--_space);max-width:40rem;padding:2px}
.cf-field{display:grid;gap:4px}
.cf-field label{font-weight:600}
.cf{padding:var(--_space);border-radius:var(--_radius)}
.cf[hidden]{display:none!important}
.cf-title{margin:0;font-size:1.25em;line-height:1.3;overflow-wrap:anywhere}
.cf-section{display:grid;gap:var(--_space);margin:0;padding:var(--_space);border:1px solid var(--_border);border-radius:var(--_radius);min-width:0}
.cf-section legend{font-weight:700;padding:0 4px}
.cf-danger{border-color:var(--_danger)}
.cf-danger legend{color:var(--_danger)}
.cf-alert:focus{outline:2px solid var(--_focus);outline-offset:2px}
.cf-error-links{margin:4px 0 0;padding-left:1.2em}
.cf-error-links a{color:inherit;font-weight:600}
.cf-outcome{display:grid;gap:2px;align-self:center;flex:1 1 12rem}
.cf-failed{margin:0;color:var(--_danger);font-weight:600}
.cf-required{color:var(--_danger)}
.cf input,.cf textarea,.cf select{font:inherit;color:var(--_text);background:var(--_field);border:1px solid var(--_border);border-radius:var(--_radius);padding:8px 10px;box-sizing:border-box;width:100%}
.cf textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;resize:vertical}
.cf input:focus-visible,.cf textarea:focus-visible,.cf select:focus-visible,.cf button:focus-visible{outline:2px solid var(--_focus);outline-offset:2px}
.cf [aria-invalid=true]{border-color:var(--_danger);border-width:2px}
.cf input[readonly],.cf textarea[readonly]{background:transparent;border-style:dashed}
.cf-hint,.cf-note,.cf-meta{margin:0;color:var(--_muted);font-size:.9em}
.cf-field-error{margin:0;color:var(--_danger);font-weight:600;font-size:.9em}
.cf-alert:not(:empty){border-left:4px solid var(--_danger);background:var(--_danger-bg);color:var(--_danger);padding:8px 12px;border-radius:var(--_radius)}
.cf-status:not(:empty){color:var(--_ok)}
.cf-alert p,.cf-status p{margin:0}
.cf-alert-detail{font-size:.9em;margin-top:4px}
.cf-actions{display:flex;gap:8px;flex-wrap:wrap}
.cf button{font:inherit;font-weight:600;border-radius:var(--_radius);padding:8px 16px;border:1px solid var(--_accent);background:var(--_accent);color:var(--_on-accent);cursor:pointer}
.cf button[type=button]{background:transparent;color:var(--_accent)}
.cf button:disabled{opacity:.6;cursor:not-allowed}
.cf-merge-field{border:1px solid var(--_border);border-radius:var(--_radius);margin:0 0 8px;padding:8px 12px}
.cf-merge-field legend{font-weight:600}
.cf-choice{display:flex;gap:8px;align-items:baseline}
.cf-choice input{width:auto}
.cf-value{white-space:pre-wrap;word-break:break-word}
.cf-skeleton{display:grid;gap:var(--_space);max-width:40rem}
.cf-skeleton span{display:block;height:1em;width:30%;border-radius:var(--_radius);background:var(--_skeleton)}
.cf-skeleton span+span{height:2.4em;width:100%}
.cf-skeleton div{display:grid;gap:6px;animation:cf-pulse 1.4s ease-in-out infinite}
@keyframes cf-pulse{50%{opacity:.45}}
@media (prefers-reduced-motion:reduce){.cf *,.cf-pending *{animation:none!important}}
.cf-list-status button{padding:2px 10px;margin-left:4px;font-size:.95em}
.cf-locked{font-style:italic}
.cf select[aria-busy=true]{cursor:progress}
.cf-tags{display:grid;gap:6px}
.cf-chips{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.cf-chip{display:inline-flex;align-items:center;gap:2px;max-width:100%;padding:2px 2px 2px 10px;border:1px solid var(--_border);border-radius:999px;background:var(--_field);overflow-wrap:anywhere}
.cf .cf-chip-remove{padding:0 8px;border:0;border-radius:999px;line-height:1.6}
.cf-combo{position:relative}
.cf-listbox{position:absolute;z-index:10;left:0;right:0;top:100%;margin:2px 0 0;padding:4px 0;list-style:none;max-height:14em;overflow-y:auto;background:var(--_field);color:var(--_text);border:1px solid var(--_border);border-radius:var(--_radius)}
.cf-listbox[hidden]{display:none}
.cf-option{padding:6px 10px;cursor:pointer}
.cf-option[aria-selected=true]{background:var(--_accent);color:var(--_on-accent)}
.cf-rows{display:grid;gap:6px;min-width:0}
.cf-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,2fr) auto auto;gap:6px;align-items:center}
.cf-contact{grid-template-columns:repeat(4,minmax(0,1fr)) auto auto}
.cf-row-head{font-size:.85em;color:var(--_muted)}
.cf-row-error{grid-column:1/-1}
.cf .cf-row-json{display:flex;gap:4px;align-items:center;font-weight:400}
.cf-row-json input{width:auto;margin:0}
.cf .cf-mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.cf .cf-row button{padding:6px 10px}
.cf-row-add{justify-self:start}
.cf-label{margin:0;font-weight:600}
.cf-contacts-list{margin:0;padding-left:1.2em;overflow-wrap:anywhere}
@media (max-width:560px){.cf-row,.cf-contact{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}.cf-row-head{display:none}}
.cf-field:has(>.cf-checkbox){display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.cf .cf-checkbox{width:auto;margin:0;order:-1;accent-color:var(--_accent)}
.cf-field:has(>.cf-checkbox)>p{flex-basis:100%}
.cf-anonymization-status{margin:0;font-weight:600}
.cf-confirm{display:grid;gap:8px;padding:var(--_space);border:2px solid var(--_danger);border-radius:var(--_radius);background:var(--_danger-bg)}
.cf-confirm p{margin:0}
.cf-confirm-title{font-weight:700;color:var(--_danger)}
.cf button.cf-danger-button{background:var(--_danger);border-color:var(--_danger);color:var(--_bg)}
.cf-pending{--_skeleton:var(--cf-color-skeleton,#e8eaed);display:grid;gap:var(--cf-spacing,12px);max-width:40rem;padding:2px;font-family:var(--cf-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);font-size:var(--cf-font-size,15px);line-height:1.45;color:var(--cf-color-success,#116329);background:var(--cf-color-background,#fff)}
.cf-pending[data-theme=dark]{--_skeleton:var(--cf-color-skeleton,#34363b);color:var(--cf-color-success,#8bd49e);background:var(--cf-color-background,#1b1c1f)}
.cf-pending p{margin:0}
.cf-pending-rows,.cf-pending-rows div{display:grid;gap:var(--cf-spacing,12px)}
.cf-pending-rows div{gap:6px;animation:cf-pulse 1.4s ease-in-out infinite}
.cf-pending-rows span{display:block;height:1em;width:30%;border-radius:var(--cf-radius,6px);background:var(--_skeleton)}
.cf-pending-rows span+span{height:2.4em;width:100%}`;

let sheet = null;
const styledRoots = new WeakSet();

/**
 * Styles the shadow root or document `node` is in, once per root, without inline CSS (which
 * `style-src 'self'` blocks): one constructable stylesheet, shared by every root, in
 * `adoptedStyleSheets`; a `<style>` element where the browser has none. The element calls it
 * as it starts waiting for the wasm, the skeleton when it is drawn, the widget (src/style.rs)
 * on every render; a node not yet in a document or shadow root is styled on a later call.
 */
export function attachStyles(node) {
  const root = node.getRootNode();
  const isDocument = root.nodeType === 9;
  if (!isDocument && !(root.nodeType === 11 && 'host' in root)) return;
  if (styledRoots.has(root)) return;
  styledRoots.add(root);
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    }
    try {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    } catch {
      // A sheet made by this window cannot be adopted in another document (an iframe's).
    }
  }
  const style = (isDocument ? root : root.ownerDocument).createElement('style');
  style.textContent = STYLES;
  (isDocument ? root.head ?? root.documentElement : root).prepend(style);
}
