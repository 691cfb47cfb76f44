// Rewrites a scratch checkout of the widget so that it is built without some of issue 12's
// editors, for scripts/size-editors.sh: what each editor costs is the package's size with it
// minus the size without it. Each editor is cut where the form asks for it (its hook in
// src/ui/view.rs, its messages in src/ui/customer_form.rs and src/ui/form_message.rs, its
// branches in src/ui/field.rs); the field then falls back to the plain named control that
// carries its text, as before the editors, and link-time optimization leaves the editor's code
// out. Never run on the working tree: size-editors.sh runs it in a temporary `git worktree`.
//   node without-editors.mjs <checkout> <letters>
//   node without-editors.mjs --keys <checkout>       the gzip of the editors' string keys, alone
//   node without-editors.mjs --languages <checkout>  what their strings add to each language file
//   A  the provider's lists (Commerce Layer's customer group select, the tag suggestions, their loading)
//   B  the tags' chips and combobox
//   C  the row editors (metadata, Count's contacts) and Count's read-only contacts
//   D  the countries (Prolifi's picker, Count's suggestions, "same as billing")
//   E  the anonymization danger zone (its status, the confirmation, the flags as checkboxes)
//   S  the English strings only the editors show (emptied; their keys stay, see EDITOR_KEYS)
//   K  the editors' CSS
// Each cut finds its anchor or stops with an error naming it: an editor's hook that has moved
// must be followed here, not silently left in.

import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The keys of the strings only the editors show (providers/src/text_keys.rs), by prefix or
 * whole. Not the fields' hints, nor the errors the contracts' validation gives the plain field
 * too (`error.metadata.*`, `error.count.*`): a form without the editors still shows them. */
export const EDITOR_KEYS = [
  'reference.', 'action.reload_list', 'tags.', 'rows.', 'contacts.',
  'field.country', 'country.', 'address.same_as_billing',
  'anonymization.', 'action.anonymize', 'action.cancel',
];
export const isEditorKey = (key) => EDITOR_KEYS.some((k) => (k.endsWith('.') ? key.startsWith(k) : key === k));

/** Every key of the widget's strings, in the order of the English table. */
export function textKeys(root) {
  const source = readFileSync(join(root, 'providers/src/text_keys.rs'), 'utf8');
  const start = source.indexOf('*b"\\\n') + 5;
  return source.slice(start, source.indexOf('";', start)).split('\n').filter(Boolean);
}

const gzip = (text) => gzipSync(text, { level: 9 }).length;

/** The gzip bytes the editors' keys take among all keys (measured alone: an estimate). */
function keysSize(root) {
  const keys = textKeys(root);
  return gzip(keys.join('\n')) - gzip(keys.filter((k) => !isEditorKey(k)).join('\n'));
}

/** What the editors' strings add to each other language's file, in gzip bytes. */
function languageSizes(root) {
  return ['de', 'fr', 'es'].map((tag) => {
    const file = JSON.parse(readFileSync(join(root, `src/i18n/customer-form.${tag}.json`), 'utf8'));
    const without = Object.fromEntries(Object.entries(file).filter(([k]) => !isEditorKey(k)));
    // Written as the files are (two-space indent, a newline at the end), so only the keys differ.
    const size = (o) => gzip(`${JSON.stringify(o, null, 2)}\n`);
    return [tag, size(file) - size(without)];
  });
}

function rewrite(root, letters) {
  const files = {};
  const read = (path) => (files[path] ??= readFileSync(join(root, path), 'utf8'));
  const replace = (path, from, to) => {
    const text = read(path);
    if (!text.includes(from)) throw new Error(`without-editors: ${path} no longer has ${JSON.stringify(from.slice(0, 80))}`);
    files[path] = text.replace(from, () => to);
  };
  // The text from `first` up to `end` (`end` kept unless `dropEnd`) replaced by `to`.
  const span = (path, first, end, to, dropEnd) => {
    const text = read(path);
    const at = text.indexOf(first);
    const stop = at < 0 ? -1 : text.indexOf(end, at);
    if (stop < 0) throw new Error(`without-editors: ${path} no longer has ${JSON.stringify(first)}`);
    files[path] = text.slice(0, at) + to + text.slice(dropEnd ? stop + end.length : stop);
  };
  // A whole `Message::…` arm of `handle`, from its first line to its closing brace.
  const arm = (path, first, to) => span(path, first, '                return true;\n            }\n', to, true);
  const view = 'src/ui/view.rs';
  const form = 'src/ui/customer_form.rs';
  const message = 'src/ui/form_message.rs';
  const has = (letter) => letters.includes(letter);

  const choices = `        choices: form
            .choices_for(spec, value)
            .or_else(|| form.country_choices(ctx, spec, value)),`;
  if (has('A') || has('D')) {
    const kept = has('A') ? (has('D') ? 'None' : 'form.country_choices(ctx, spec, value)') : 'form.choices_for(spec, value)';
    replace(view, choices, `        choices: ${kept},`);
  }
  // In field.rs the editors' branches read the props the view fills; with the props no longer
  // filled, each branch is also given a constant, so that the compiler drops it (it cannot tell
  // that a prop is always None through a function it does not inline).
  const field = 'src/ui/field.rs';
  if (has('A') && has('D')) {
    replace(field, 'let status = match &props.choices {', 'let status = match &None::<Choices> {');
    replace(field, 'let (control, datalist) = match (spec.kind, &props.choices) {', 'let (control, datalist) = match (spec.kind, &None::<Choices>) {');
    replace(field, 'let suggestions = match choices {', 'let suggestions = match &None::<Choices> {');
    replace(field, 'let list = match choices {', 'let list = match &None::<Choices> {');
  }
  if (has('A')) {
    replace(form, '        self.load_references(ctx);\n', '');
    arm(form, '            Message::Reference(generation, list, data) => {', '            Message::Reference(..) => return false,\n');
    arm(form, '            Message::ReloadReference(generation, list, field) => {', '            Message::ReloadReference(..) => return false,\n');
    replace(message, 'let suggesting = matches!(&msg, Msg::Edit { field, .. } if self.suggests(field));', 'let suggesting = false;');
  }
  if (has('B')) {
    replace(view, 'tags: (spec.kind == FieldKind::Tags).then(|| form.tags_editor()),', 'tags: None,');
    arm(form, '            Message::Tags(generation, change) => {', '            Message::Tags(..) => return false,\n');
    // Its events' arm in `act`, which would keep the editor's handling linked.
    span(form, '            On::Tags(action) => {', '        };\n        if let Signal::Submit', '            On::Tags(_) => return false,\n');
    replace(form, '        self.tags_rendered();\n', '');
    replace(field, 'if let (FieldKind::Tags, Some(editor)) = (kind, &props.tags) {', 'if let (FieldKind::Tags, Some(editor)) = (kind, &None::<TagsEditor>) {');
    // A list pasted into the tags' entry: the listener goes, and the bundler drops its function.
    replace('src/element.js', "  root.addEventListener('paste', pasteList);\n", '');
  }
  if (has('C')) {
    span(view, '        editor: rows::editor(', '    };\n    form.adjust_country(ctx, &mut props);', '        editor: None,\n');
    replace(view, `    if let Some(contacts) = contacts_view(form, ctx.props().provider, section_of, state) {
        children.push(contacts);
    }
`, '');
    replace(field, '.child(props.editor.unwrap_or(Html::Empty))', '.child(Html::Empty)');
    replace(form, '        self.rows_text.focus_drawn_row();\n', '');
    span(form, '            On::Row(edit) => {', '            On::Tags(', '            On::Row(_) => return false,\n');
    replace(message, 'let rows = matches!(&msg, Msg::Edit { field, .. } if super::rows::draws_rows(state, field));', 'let rows = false;');
  }
  if (has('D')) {
    replace(view, `    form.adjust_country(ctx, &mut props);
    if name == FIRST_SHIPPING_FIELD && ctx.props().provider == ProviderId::Count {
        children.push(form.same_address_box(props.read_only));
    }
    props.read_only |= form.follows_billing(name);
`, '');
    replace(form, '        self.fill_country_list(ctx);\n', '');
    arm(form, '            Message::SameAddress(same) => {', '            Message::SameAddress(_) => return false,\n');
    replace(message, `        let mirror = match &msg {
            Msg::Edit { field, text } => self.mirror_of(field).map(|twin| (twin, text.clone())),
            _ => None,
        };`, "        let mirror: Option<(&'static str, String)> = None;");
    replace(message, `        if first_record {
            // After a restored draft, which may hold another shipping address.
            self.shipping = if self.addresses_match() {
                ShippingAddress::SameAsBilling { set_aside: None }
            } else {
                ShippingAddress::Own
            };
        }`, '        let _ = (first_record, ShippingAddress::Own);');
  }
  if (has('E')) {
    replace(view, '.child_opt(form.anonymization_confirm())', '.child_opt(None::<Html>)');
    replace(view, `    if section_of == Section::DangerZone {
        children.push(form.anonymization_status_view());
    }
`, '');
    replace(form, '        self.apply_focus();\n', '');
    // Both requests shown, whatever the status, each as a select of "—" and "true", as before.
    replace(view, 'let anonymization_status = form.anonymization_status();', 'let anonymization_status: Option<String> = None;');
    replace(view, 'if anonymization::shows(spec.name, anonymization_status) {', 'if true {');
    replace(field, 'FieldKind::Choice(["true"]) => wired(', 'FieldKind::Choice(["true"]) if false => wired(');
    arm(form, '            Message::ConfirmAnonymization(confirmed) => {', '            Message::ConfirmAnonymization(_) => return false,\n');
    replace(message, '        if matches!(msg, Msg::Submit { .. })\n            && !std::mem::take(&mut self.anonymization_confirmed)',
      '        if false\n            && !std::mem::take(&mut self.anonymization_confirmed)');
  }
  if (has('S')) {
    const en = 'src/i18n/en.rs';
    const text = read(en);
    const start = text.indexOf('TEXTS: &str = "\\\n') + 'TEXTS: &str = "\\\n'.length;
    const stop = text.indexOf('";', start);
    const keys = textKeys(root);
    const texts = text.slice(start, stop).split('\n');
    if (texts.length !== keys.length) throw new Error(`without-editors: ${keys.length} keys, ${texts.length} English lines`);
    files[en] = text.slice(0, start) + texts.map((t, i) => (isEditorKey(keys[i]) ? '' : t)).join('\n') + text.slice(stop);
  }
  if (has('K')) {
    // The editors' rules sit together in STYLES (src/element.js says which), from the lists'
    // status to the danger button; locked fields, among them, are not an editor's.
    const path = 'src/element.js';
    const lines = read(path).split('\n');
    const first = lines.findIndex((l) => l.startsWith('.cf-list-status button'));
    const last = lines.findIndex((l) => l.startsWith('.cf button.cf-danger-button'));
    if (first < 0 || last < first) throw new Error('without-editors: the editors\' rules in STYLES have moved');
    files[path] = [...lines.slice(0, first), ...lines.slice(first, last + 1).filter((l) => l.startsWith('.cf-locked')), ...lines.slice(last + 1)].join('\n');
  }
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [first, second = ''] = process.argv.slice(2);
  if (first === '--keys' && second) {
    console.log(keysSize(second));
  } else if (first === '--languages' && second) {
    for (const [tag, size] of languageSizes(second)) console.log(`  ${tag}`.padEnd(70), String(size).padStart(8));
  } else if (first && !first.startsWith('--') && !/[^ABCDESK]/.test(second)) {
    rewrite(first, second);
  } else {
    console.error('usage: node without-editors.mjs <checkout> <letters of ABCDESK> | --keys <checkout> | --languages <checkout>');
    process.exit(2);
  }
}
