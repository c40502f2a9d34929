// What the rest of the app may use of the orders feature.
export { StatusBadge } from './components/OrderView';
