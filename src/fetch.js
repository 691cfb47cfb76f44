// The network edge in the browser: one `fetch` with a timeout, the form's abort signal and a
// size limit, its reply handed back as plain data. In JS because the same in Rust through
// web-sys costs the package several kilobytes of bindings (see README, Size).

/**
 * Resolves to `[status, headers, body]` (`headers` flat: name, value, name, value…; names in
 * lower case) or to `"timeout"` / `"network"` / `"too-large:<status>"`; never rejects.
 */
export async function send(method, url, headers, body, signal, timeoutMs, maxBytes) {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const init = { method, headers: new Headers(), signal: controller.signal };
    for (let i = 0; i < headers.length; i += 2) init.headers.append(headers[i], headers[i + 1]);
    if (body !== undefined) init.body = body;
    const response = await fetch(url, init);
    const announced = Number(response.headers.get('content-length'));
    if (announced > maxBytes) {
      controller.abort();
      return `too-large:${response.status}`;
    }
    const text = await response.text();
    const names = [];
    response.headers.forEach((value, name) => names.push(name.toLowerCase(), value));
    return [response.status, names, text];
  } catch {
    return timedOut ? 'timeout' : 'network';
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}
