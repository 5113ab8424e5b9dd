// The strict-CSP page's own script (no inline script is allowed there): it records every policy
// violation, and what reaches window.onerror.
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.seen = [];
window.onerror = (m) => void seen.push(String(m));
