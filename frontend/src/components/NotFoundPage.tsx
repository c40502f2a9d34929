import { Link } from 'react-router';
import { useDocumentTitle } from '../lib/hooks';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <section className="empty-state">
      <h1>Page not found</h1>
      <p>We couldn’t find that page.</p>
      <Link className="btn btn-primary" to="/products">
        Browse the shop
      </Link>
    </section>
  );
}
