// The form in Preact with hooks: controlled inputs over one state object, the record put in
// when it comes, the changed fields sent on submit.

import { render } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { fields, url, headers, method, textsOf, readyWhenShown, record } from './form.js';

const blank = Object.fromEntries(fields.map((name) => [name, '']));

function Form() {
  const [values, setValues] = useState(blank);
  const [loaded, setLoaded] = useState(null);
  useEffect(() => {
    record.then((data) => {
      const texts = textsOf(data);
      setLoaded(texts);
      setValues(texts);
    });
  }, []);
  useLayoutEffect(() => {
    if (loaded) readyWhenShown();
  }, [loaded]);
  const save = async (event) => {
    event.preventDefault();
    const changed = Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== loaded?.[key]));
    await fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(changed) });
  };
  return (
    <form onSubmit={save} noValidate>
      {fields.map((name) => {
        const Control = name === 'metadata' ? 'textarea' : 'input';
        return (
          <label key={name}>
            {name}
            <Control name={name} value={values[name]} onInput={(e) => setValues((v) => ({ ...v, [name]: e.currentTarget.value }))} />
          </label>
        );
      })}
      <button>Save</button>
    </form>
  );
}

render(<Form />, document.getElementById('app'));
