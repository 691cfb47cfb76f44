// The form in React 19 with react-hook-form and a zod schema: uncontrolled inputs registered
// with the form, the record put in by `reset`, the changed fields sent on submit.

import { createRoot } from 'react-dom/client';
import { useEffect, useLayoutEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import * as z from 'zod';
import { fields, url, headers, method, textsOf, nested, readyWhenShown, record } from './form.js';

// The schema nested as the names are (an address is an object of strings); the email must be one.
const shape = {};
const parts = {};
for (const name of fields) {
  const [head, tail] = name.split('.');
  if (tail) (parts[head] ??= {})[tail] = z.string();
  else shape[head] = name === 'email' ? z.email() : z.string();
}
for (const [head, inner] of Object.entries(parts)) shape[head] = z.object(inner);
const resolver = zodResolver(z.object(shape));

function Form() {
  const { register, handleSubmit, reset, formState: { dirtyFields } } = useForm({
    resolver,
    defaultValues: nested(Object.fromEntries(fields.map((name) => [name, '']))),
  });
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    record.then((data) => {
      reset(nested(textsOf(data)));
      setLoaded(true);
    });
  }, [reset]);
  // `reset` puts the values in the inputs as React renders again (the inputs' refs), in the same
  // render as `loaded`: checked once that render is committed, as Preact's app does.
  useLayoutEffect(() => {
    if (loaded) readyWhenShown();
  }, [loaded]);
  const save = async (values) => {
    const changed = Object.fromEntries(Object.keys(dirtyFields).map((key) => [key, values[key]]));
    await fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(changed) });
  };
  return (
    <form onSubmit={handleSubmit(save)} noValidate>
      {fields.map((name) => (
        <label key={name}>
          {name}
          {name === 'metadata' ? <textarea {...register(name)} /> : <input {...register(name)} />}
        </label>
      ))}
      <button>Save</button>
    </form>
  );
}

createRoot(document.getElementById('app')).render(<Form />);
