// The React test app around the README's components: StrictMode, a form that can be closed and
// opened again, and new callback functions on every render (as apps write them).
import { useState } from 'react';
import { CustomerEditor } from './CustomerEditor.jsx';
import { CustomerEditorWithRef } from './CustomerEditorWithRef.jsx';
import { CustomerEditorTyped } from './CustomerEditorTyped.tsx';
import { fetchToken, gateway, pageLog } from '../page-log.js';

const EDITORS = { ref: CustomerEditorWithRef, tsx: CustomerEditorTyped };
const Editor = EDITORS[new URLSearchParams(location.search).get('editor')] ?? CustomerEditor;

export function App() {
  const [shown, setShown] = useState(true);
  const [saves, setSaves] = useState(0);
  return (
    <main>
      <button type="button" id="toggle" onClick={() => setShown((open) => !open)}>{shown ? 'Close' : 'Open'}</button>
      <p id="saves">{saves}</p>
      {shown && (
        <Editor
          customerId="cus_1001"
          apiBase={`${gateway}/prolifi`}
          getToken={(request) => fetchToken(request)}
          onSaved={(customer) => {
            pageLog.saved.push(customer);
            setSaves((n) => n + 1);
          }}
        />
      )}
    </main>
  );
}
