/**
 * The {@code baton} command line.
 *
 * <p>An application, not a library: it exports nothing. Its packages are open to picocli, which
 * reads the command classes' annotations reflectively. It binds SLF4J to slf4j-simple at run time.
 */
module dev.baton.cli {
  requires dev.baton.core;
  requires dev.baton.tasks;
  requires dev.baton.modules;
  requires info.picocli;
  requires org.slf4j;

  opens dev.baton.cli to
      info.picocli;
  opens dev.baton.cli.demo to
      info.picocli,
      com.fasterxml.jackson.databind;
}
