// The shopper's orders: the history (signed-in users) and one order.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { call, http } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';

export const ordersQuery = () =>
  queryOptions({
    queryKey: keys.orders,
    queryFn: ({ signal }) => call(http.GET('/api/orders', { signal })),
  });

export const orderQuery = (id: string) =>
  queryOptions({
    queryKey: keys.order(id),
    queryFn: ({ signal }) => call(http.GET('/api/orders/{id}', { params: { path: { id } }, signal })),
  });

export const useOrders = (enabled: boolean) => useQuery({ ...ordersQuery(), enabled });
export const useOrder = (id: string) => useQuery(orderQuery(id));
