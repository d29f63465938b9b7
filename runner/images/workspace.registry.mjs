// Used by workspace.finish.sh while it fills the image's npm cache: answers on
// http://127.0.0.1:4873/ (where npm in a workspace finds the runner's registry
// proxy) by forwarding reads to the building machine's registry, so the cache
// holds entries under the same URLs npm will ask for in a workspace.
//   node workspace.registry.mjs https://registry.npmjs.org/
import { createServer } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const upstream = new URL(process.argv[2] ?? 'https://registry.npmjs.org/');
const server = createServer((req, res) => {
  const target = new URL(`.${req.url}`, upstream.href.endsWith('/') ? upstream : `${upstream.href}/`);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = { 'user-agent': 'tandem-image-build' };
  if (req.headers.accept) headers.accept = req.headers.accept;
  const out = send(target, { method: req.method, headers }, (answer) => {
    const passed = {};
    for (const name of ['content-type', 'content-length', 'etag', 'last-modified']) {
      if (answer.headers[name]) passed[name] = answer.headers[name];
    }
    res.writeHead(answer.statusCode ?? 502, passed);
    answer.pipe(res);
  });
  out.on('error', (error) => {
    res.writeHead(502);
    res.end(String(error));
  });
  out.end();
});
server.listen(4873, '127.0.0.1', () => console.log('ready'));
