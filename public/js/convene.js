// Progressive enhancement with GOV.UK Frontend's own JavaScript: the error summary takes focus,
// character counts count, links styled as buttons answer the Space key, the skip link moves
// focus, notices are focused so they are read out. Every page works the same without it.
import { initAll } from '/assets/govuk-frontend/govuk-frontend.min.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
