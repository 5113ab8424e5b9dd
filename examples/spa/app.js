// A tiny single-page app with history routing, for the demo and the end-to-end tests: links
// marked data-route change the view with history.pushState; back and forward re-render it.
const views = {
  '/examples/spa/': () => `<h1>Home</h1><p>Welcome. Pick a page above.</p>`,
  '/examples/spa/products': () => `
    <h1>Products</h1>
    <button id="buy" class="btn primary" data-action="buy" data-secret="not sent">Buy the red shoes</button>
    <div class="tall"></div>
    <p id="bottom">End of the product list.</p>`,
  '/examples/spa/account': () => `
    <h1>Account</h1>
    <form id="login" action="/examples/spa/account?token=abc123" method="post">
      <label>E-mail <input name="email" type="email" value="jane.doe@example.com"></label>
      <label>Password <input name="password" type="password" value="hunter2"></label>
      <button id="sign-in">Sign in</button>
    </form>
    <p data-sightline-mask id="private">Card 4111 1111 1111 1111 on file for jane.doe@example.com</p>`,
};

function render() {
  const view = views[location.pathname] || (() => '<h1>Not found</h1>');
  document.getElementById('view').innerHTML = view();
  document.title = 'Sightline SPA — ' + (document.querySelector('h1') || {}).textContent;
}

document.addEventListener('click', (ev) => {
  const link = ev.target.closest('a[data-route]');
  if (!link) return;
  ev.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  render();
});
document.addEventListener('submit', (ev) => {
  ev.preventDefault(); // a real app would send the form with fetch
  document.getElementById('view').insertAdjacentHTML('beforeend', '<p id="signed-in">Signed in.</p>');
});
addEventListener('popstate', render);
render();
