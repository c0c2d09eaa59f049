/** Paging of this service's stores: the kit's (`@honglian/service-kit` paging.ts), shared by every service. */
export { findScoped, pageOf, type Page, type PageRequest } from '@honglian/service-kit';
