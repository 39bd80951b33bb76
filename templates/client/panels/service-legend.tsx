import { serviceColor, serviceSlot } from './span-colors.js'

/**
 * The services of a trace as chips in their waterfall colours: the legend of a waterfall's
 * header, and the services column of the trace list.
 *
 * @example
 * ```tsx
 * <ServiceLegend services={tree.services} />
 * ```
 */
export function ServiceLegend({ services }: { services: readonly string[] }) {
  return (
    <span class="hdt-services" aria-label="services">
      {services.map((service) => (
        <span key={service} class="hdt-wf-chip hdt-service-chip" style={{ background: serviceColor(serviceSlot(service)) }} title={service}>
          {service}
        </span>
      ))}
    </span>
  )
}
