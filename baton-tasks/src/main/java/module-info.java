/**
 * Baton's task layer: any Java function invoked by name, with a stream of reports and one outcome
 * per call, locally (an in-process background job queue) or through a broker and a result backend.
 *
 * <ul>
 *   <li>API — {@code dev.baton.tasks}: {@link dev.baton.tasks.TaskApp}, options, reports, results,
 *       marshallers, invokers, id makers, events;
 *   <li>SPI — {@code dev.baton.tasks.spi}: the roles brokers and backends implement, the wire
 *       envelopes every adapter shares, and the inspection API;
 *   <li>{@code dev.baton.tasks.memory}: the in-memory broker and backend, which implement the whole
 *       SPI and pass the contract suites of {@code baton-testkit};
 *   <li>internal — {@code dev.baton.tasks.internal}: marshalling, type correction and reflection of
 *       registered methods; not exported.
 * </ul>
 *
 * <p>Registering methods of an object needs a {@link java.lang.invoke.MethodHandles.Lookup} from
 * its module (or an {@code opens} of its package); lambdas need neither. Records and POJOs that
 * travel as arguments or return values are read by Jackson, so their packages must be open to
 * {@code com.fasterxml.jackson.databind} (or exported, for public types with public accessors).
 */
module dev.baton.tasks {
  requires transitive dev.baton.core;
  requires transitive org.jspecify;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.dataformat.smile;

  exports dev.baton.tasks;
  exports dev.baton.tasks.spi;
  exports dev.baton.tasks.memory;
}
