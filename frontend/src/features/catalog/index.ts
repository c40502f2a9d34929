// What the rest of the app may use of the catalog: product reads, links and stock badges, the search box.
export { useProduct, useProducts } from './api/products';
export { productPath, StockBadge } from './components/ProductCard';
export { SearchCombobox } from './components/SearchCombobox';
