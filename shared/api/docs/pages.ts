import { PROBLEM_CODES, PROBLEMS } from '../../problem-catalogue';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Backtick spans become code, the only markup the problem descriptions use. */
function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The API reference: Swagger UI from files this API serves itself, reading `/v1/openapi.json`. */
export function referencePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenantry API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<p style="font-family: sans-serif; margin: 1em 2em">Problem codes: <a href="/docs/problems">/docs/problems</a> · OpenAPI document: <a href="/v1/openapi.json">/v1/openapi.json</a></p>
<div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#reference', deepLinking: true });
</script>
</body>
</html>
`;
}

/** Every problem code, a section each with its id, so a problem's `type` URI lands on its own section. */
export function problemsPage(): string {
  const sections = PROBLEM_CODES.map((code) => {
    const problem = PROBLEMS[code];
    return `<section id="${code}">
<h2>${escapeHtml(problem.title)} <code>${code}</code></h2>
<p class="status">HTTP ${problem.statuses.join(', ')}</p>
<p>${inlineCode(problem.description)}</p>
</section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenantry API problem codes</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
section { border-top: 1px solid #ddd; padding: 0.5rem 0; }
section:target { background: #fffbe6; }
.status { color: #555; margin: 0; }
code { background: #f4f4f4; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>Problem codes</h1>
<p>Every error the Tenantry API answers is <code>application/problem+json</code> (RFC 9457) with a stable
<code>code</code>; its <code>type</code> links to the code's section below. The operations and the codes
each may answer with are in the <a href="/docs">API reference</a>.</p>
${sections}
</body>
</html>
`;
}
