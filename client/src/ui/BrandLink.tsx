/** The Tandem mark in a page's top bar: a link home that stays in the app (no reload). */
import { navigate } from '../lib/route.js';

export function BrandLink() {
  return (
    <a
      class="brand"
      href="/"
      onClick={(e) => {
        e.preventDefault();
        navigate('/');
      }}
    >
      <span class="brand-mark" /> Tandem
    </a>
  );
}
