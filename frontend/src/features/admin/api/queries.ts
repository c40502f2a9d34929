// Back-office reads: a SKU's stock history, every order, the ops summary.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call, http } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { AdminOrderQuery } from '../../../lib/api/types';

export const auditQuery = (sku: string) =>
  queryOptions({
    queryKey: keys.audit(sku),
    queryFn: ({ signal }) => call(http.GET('/api/admin/inventory/{sku}/audit', { params: { path: { sku } }, signal })),
    enabled: sku !== '',
  });

export const adminOrdersQuery = (query: AdminOrderQuery) =>
  queryOptions({
    queryKey: keys.adminOrderList(query),
    queryFn: ({ signal }) => call(http.GET('/api/admin/orders', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export const opsQuery = (intervalMs: number) =>
  queryOptions({
    queryKey: keys.ops,
    queryFn: ({ signal }) => call(http.GET('/api/admin/ops/summary', { signal })),
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });

export const useInventoryAudit = (sku: string | undefined) => useQuery(auditQuery(sku ?? ''));
export const useAdminOrders = (q: AdminOrderQuery) => useQuery(adminOrdersQuery(q));
export const useOpsSummary = (intervalMs: number) => useQuery(opsQuery(intervalMs));
