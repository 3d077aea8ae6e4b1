package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandIdReservationsTest {
  private final CommandIdReservations reservations = new CommandIdReservations();

  @Test
  void reserve_newIds_recordsTheOwner() {
    reservations.reserve("greeter", CommandId.of(256), CommandId.of(257));

    assertThat(reservations.ownerOf(CommandId.of(256))).contains("greeter");
    assertThat(reservations.ownerOf(CommandId.of(258))).isEmpty();
    assertThat(reservations.snapshot()).hasSize(2);
  }

  @Test
  void reserve_idHeldByAnotherModule_failsNamingTheIdAndBothModules() {
    reservations.reserve("alpha", CommandId.of(300));

    assertThatThrownBy(() -> reservations.reserve("beta", CommandId.of(300)))
        .isInstanceOfSatisfying(
            CommandIdCollisionException.class,
            e -> {
              assertThat(e.commandId()).isEqualTo(CommandId.of(300));
              assertThat(e.holder()).isEqualTo("alpha");
              assertThat(e.claimant()).isEqualTo("beta");
            })
        .hasMessageContaining("command 300")
        .hasMessageContaining("'alpha'")
        .hasMessageContaining("'beta'");
  }

  @Test
  void reserve_sameIdsAgainBySameModule_isANoOp() {
    reservations.reserve("alpha", CommandId.of(300), CommandId.of(301));
    reservations.reserve("alpha", CommandId.of(301), CommandId.of(300));

    assertThat(reservations.snapshot()).containsOnlyKeys(CommandId.of(300), CommandId.of(301));
  }

  @Test
  void reserve_withOneCollidingId_reservesNoneOfTheIds() {
    reservations.reserve("alpha", CommandId.of(300));

    assertThatThrownBy(() -> reservations.reserve("beta", CommandId.of(301), CommandId.of(300)))
        .isInstanceOf(CommandIdCollisionException.class);
    assertThat(reservations.ownerOf(CommandId.of(301))).isEmpty();
  }

  @Test
  void reserve_idInAnotherStandardModulesRange_failsNamingThatModule() {
    assertThatThrownBy(() -> reservations.reserve("mine", CommandId.of(120)))
        .isInstanceOfSatisfying(
            CommandIdCollisionException.class, e -> assertThat(e.holder()).isEqualTo("store"))
        .hasMessageContaining("120-129");
  }

  @Test
  void reserve_standardIdsByTheirOwnModule_succeeds() {
    reservations.reserve("store", CommandRanges.ofModule("store").orElseThrow().definedIds());

    assertThat(reservations.ownerOf(CommandId.of(126))).contains("store");
  }

  @Test
  void reserve_idsKeptForFutureBatonModules_areOpenToUserModules() {
    reservations.reserve("myservice", CommandId.of(200));

    assertThat(reservations.ownerOf(CommandId.of(200))).contains("myservice");
  }
}
