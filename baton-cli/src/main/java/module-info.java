/**
 * The {@code baton} command line: {@code demo}, {@code node}, {@code call} and {@code inspect}.
 *
 * <p>An application, not a library: it exports nothing. Its packages are open to picocli, which
 * reads the command classes' annotations reflectively. It binds SLF4J to slf4j-simple at run time.
 *
 * <p>SPI provided: the {@code demo} {@link dev.baton.node.spi.NodeExtension} (the example greeter
 * module and the demo's tasks), so a node's configuration can name it under {@code extensions:}.
 */
@SuppressWarnings("requires-automatic")
module dev.baton.cli {
  requires dev.baton.core;
  requires dev.baton.tasks;
  requires dev.baton.modules;
  requires dev.baton.node;
  requires dev.baton.dashboard;
  requires dev.baton.redis;
  requires dev.baton.amqp;
  requires dev.baton.sql;
  requires dev.baton.security;
  requires dev.baton.cloudstorage;
  requires dev.baton.eval;
  requires dev.baton.workflow;
  requires dev.baton.contract;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires java.net.http;
  requires static com.google.errorprone.annotations;
  requires info.picocli;
  requires org.slf4j;

  opens dev.baton.cli to
      info.picocli;
  // picocli reads the commands; Jackson the demo's task values; the contract module calls the
  // demo's shared binding (DemoExtension.Greeter) by reflection.
  opens dev.baton.cli.demo to
      info.picocli,
      com.fasterxml.jackson.databind,
      dev.baton.contract;

  provides dev.baton.node.spi.NodeExtension with
      dev.baton.cli.demo.DemoExtension;
}
