package dev.baton.tasks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the task an interface method becomes, instead of the default {@code
 * SimpleInterfaceName.method}. Overloaded methods must carry it, or registering the interface (and
 * creating its stub) fails naming the overloads.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TaskName {
  /** The task name. */
  String value();
}
