// Back-office writes: products, their images and stock, order statuses.
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { call, http } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { OrderStatus, Product, ProductCreate, ProductUpdate } from '../../../lib/api/types';

function productSaved(qc: QueryClient) {
  return (p: Product) => {
    // the answer is the product as saved; only the lists are refetched (catalog reads may lag by ~1 s)
    qc.setQueryData(keys.product(p.id), p);
    qc.invalidateQueries({ queryKey: keys.productLists });
  };
}

export function useCreateProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductCreate) => call(http.POST('/api/admin/products', { body })),
    onSuccess: productSaved(qc),
  });
}

export function useUpdateProduct(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductUpdate) =>
      call(http.PATCH('/api/admin/products/{id}', { params: { path: { id } }, body })),
    onSuccess: productSaved(qc),
  });
}

export function useUploadImage(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('image', file);
      return call(
        http.POST('/api/admin/products/{id}/image', {
          params: { path: { id } },
          // the spec describes the multipart body; the browser sets the boundary
          body: form as never,
          bodySerializer: (b) => b as unknown as FormData,
        }),
      );
    },
    onSuccess: productSaved(qc),
  });
}

export function useSetStock(productId: number, sku: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (available: number) =>
      call(http.PUT('/api/admin/inventory/{sku}', { params: { path: { sku } }, body: { available } })),
    onSuccess: (lvl) => {
      qc.setQueryData<Product>(keys.product(productId), (p) => (p ? { ...p, available: lvl.available } : p));
      qc.invalidateQueries({ queryKey: keys.audit(sku) });
      qc.invalidateQueries({ queryKey: keys.productLists });
    },
  });
}

export function useSetOrderStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: OrderStatus }) =>
      call(http.POST('/api/admin/orders/{id}/status', { params: { path: { id } }, body: { status } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.adminOrders }),
  });
}
