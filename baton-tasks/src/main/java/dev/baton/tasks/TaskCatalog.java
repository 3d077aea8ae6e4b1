package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.internal.ArgumentCorrector;
import dev.baton.tasks.internal.BuiltInMarshallers;
import dev.baton.tasks.internal.TypeChecks;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What an app knows about task names: registered functions, signatures known from stubs, default
 * options, and the marshallers and id makers each name uses (the seed's function manager).
 *
 * <p>Concurrency: every table is a concurrent map holding immutable values, so registration may
 * happen while calls run; a call reads each table once.
 */
final class TaskCatalog {

  /** The marshallers a task name uses for its arguments and its reports. */
  record MarshallerChoice(int taskMarshallerId, int reportMarshallerId) {
    static final MarshallerChoice DEFAULT =
        new MarshallerChoice(Marshallers.DEFAULT, Marshallers.DEFAULT);
  }

  /** A marshaller and the invoker it pairs with. */
  record MarshallerPair(Marshaller marshaller, Invoker invoker) {}

  /** The default invoker: the function itself, its arguments already corrected. */
  static final Invoker DEFAULT_INVOKER =
      (signature, function, arguments) -> function.invoke(arguments);

  private final Map<String, TaskEntry> tasks = new ConcurrentHashMap<>();
  private final Map<String, TaskSignature> stubSignatures = new ConcurrentHashMap<>();
  private final Map<String, TaskOptions> options = new ConcurrentHashMap<>();
  private final Map<String, MarshallerChoice> marshallerChoices = new ConcurrentHashMap<>();
  private final Map<String, Integer> idMakerChoices = new ConcurrentHashMap<>();
  private final Map<Integer, MarshallerPair> marshallers = new ConcurrentHashMap<>();
  private final Map<Integer, IdMaker> idMakers = new ConcurrentHashMap<>();

  TaskCatalog(TaskApp.Mode mode, java.util.function.LongSupplier epochMillis) {
    for (int id = Marshallers.DEFAULT; id <= Marshallers.JSON_TYPED; id++) {
      marshallers.put(id, new MarshallerPair(BuiltInMarshallers.byId(id), DEFAULT_INVOKER));
    }
    IdMaker sequential = IdMakers.sequential();
    IdMaker uuidV4 = IdMakers.uuidV4();
    idMakers.put(IdMakers.DEFAULT, mode == TaskApp.Mode.LOCAL ? sequential : uuidV4);
    idMakers.put(IdMakers.UUID_V4, uuidV4);
    idMakers.put(IdMakers.SEQUENTIAL, sequential);
    idMakers.put(IdMakers.UUID_V7, IdMakers.uuidV7(epochMillis));
  }

  /**
   * Adds a task.
   *
   * @throws TaskConfigurationException if the name is taken or a declared type is not supported
   */
  TaskEntry register(TaskSignature signature, TaskFunction function) {
    requireNonNull(signature, "signature");
    requireNonNull(function, "function");
    if (signature.name().isBlank()) {
      throw new TaskConfigurationException("a task name must not be blank");
    }
    TypeChecks.validate(signature);
    TaskEntry entry = new TaskEntry(signature, function, ArgumentCorrector.of(signature));
    TaskEntry previous = tasks.putIfAbsent(signature.name(), entry);
    if (previous != null) {
      throw new TaskConfigurationException(
          "a task named '" + signature.name() + "' is already registered in this app");
    }
    return entry;
  }

  /** Records the types a stub calls {@code name} with, for callers that do not register it. */
  void rememberStubSignature(TaskSignature signature) {
    TypeChecks.validate(signature);
    stubSignatures.putIfAbsent(signature.name(), signature);
  }

  @Nullable TaskEntry find(String name) {
    return tasks.get(name);
  }

  /** The registered signature, else the one a stub declared, else {@code null}. */
  @Nullable TaskSignature knownSignature(String name) {
    TaskEntry entry = tasks.get(name);
    return entry != null ? entry.signature() : stubSignatures.get(name);
  }

  TaskEntry require(String name) {
    TaskEntry entry = tasks.get(name);
    if (entry == null) {
      throw new TaskConfigurationException(
          "no task named '" + name + "' is registered in this app; register it first");
    }
    return entry;
  }

  void setOptions(String name, TaskOptions taskOptions) {
    requireNonNull(taskOptions, "options");
    require(name);
    options.put(name, taskOptions);
  }

  TaskOptions optionsOf(String name) {
    return options.getOrDefault(name, TaskOptions.DEFAULTS);
  }

  void addMarshaller(int id, Marshaller marshaller, Invoker invoker) {
    requireNonNull(marshaller, "marshaller");
    requireNonNull(invoker, "invoker");
    if (id < Marshallers.FIRST_USER_ID) {
      throw new TaskConfigurationException(
          "marshaller ids below "
              + Marshallers.FIRST_USER_ID
              + " are Baton's own; choose "
              + Marshallers.FIRST_USER_ID
              + " or more (got "
              + id
              + ")");
    }
    if (marshallers.putIfAbsent(id, new MarshallerPair(marshaller, invoker)) != null) {
      throw new TaskConfigurationException("a marshaller with id " + id + " already exists");
    }
  }

  void setMarshaller(String name, int taskMarshallerId, int reportMarshallerId) {
    requireNonNull(name, "name");
    marshaller(taskMarshallerId);
    marshaller(reportMarshallerId);
    marshallerChoices.put(name, new MarshallerChoice(taskMarshallerId, reportMarshallerId));
  }

  MarshallerChoice marshallerChoice(String name) {
    return marshallerChoices.getOrDefault(name, MarshallerChoice.DEFAULT);
  }

  /**
   * @throws TaskConfigurationException if no marshaller has that id
   */
  MarshallerPair marshaller(int id) {
    MarshallerPair pair = marshallers.get(id);
    if (pair == null) {
      throw new TaskConfigurationException(
          "no marshaller has id " + id + "; add it with addMarshaller first");
    }
    return pair;
  }

  /** The marshaller with that id, or {@code null} (for ids that arrive from the wire). */
  @Nullable MarshallerPair findMarshaller(int id) {
    return marshallers.get(id);
  }

  void addIdMaker(int id, IdMaker idMaker) {
    requireNonNull(idMaker, "idMaker");
    if (id < IdMakers.FIRST_USER_ID) {
      throw new TaskConfigurationException(
          "id maker ids below "
              + IdMakers.FIRST_USER_ID
              + " are Baton's own; choose "
              + IdMakers.FIRST_USER_ID
              + " or more (got "
              + id
              + ")");
    }
    if (idMakers.putIfAbsent(id, idMaker) != null) {
      throw new TaskConfigurationException("an id maker with id " + id + " already exists");
    }
  }

  void setIdMaker(String name, int idMakerId) {
    requireNonNull(name, "name");
    if (!idMakers.containsKey(idMakerId)) {
      throw new TaskConfigurationException(
          "no id maker has id " + idMakerId + "; add it with addIdMaker first");
    }
    idMakerChoices.put(name, idMakerId);
  }

  IdMaker idMakerOf(String name) {
    Integer chosen = idMakerChoices.get(name);
    return requireNonNull(idMakers.get(chosen == null ? IdMakers.DEFAULT : chosen));
  }
}
