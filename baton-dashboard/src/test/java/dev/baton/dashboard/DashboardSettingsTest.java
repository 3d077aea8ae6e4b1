package dev.baton.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DashboardSettingsTest {

  @Test
  void defaults_bindLoopbackOnPort7070_withoutToken_sampledEverySecond() {
    DashboardSettings settings = DashboardSettings.builder().build();

    assertThat(settings.bindAddress().isLoopbackAddress()).isTrue();
    assertThat(settings.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(settings.port()).isEqualTo(7070);
    assertThat(settings.token()).isNull();
    assertThat(settings.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aNonLoopbackBindWithoutToken_isRefused_tellingToSetDashboardToken() throws Exception {
    InetAddress any = InetAddress.getByName("0.0.0.0");

    assertThatThrownBy(() -> DashboardSettings.builder().bindAddress(any).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("set dashboard.token");
    assertThat(
            DashboardSettings.builder()
                .bindAddress(any)
                .token("a-long-enough-token-123")
                .build()
                .requiresToken())
        .isTrue();
  }

  @Test
  void aShortToken_orOneWithCharactersUnfitForACookie_isRefused() {
    assertThatThrownBy(() -> DashboardSettings.builder().token("short").build())
        .hasMessageContaining("dashboard.token")
        .hasMessageContaining("16");
    assertThatThrownBy(
            () -> DashboardSettings.builder().token("a-long-token; with=semicolons").build())
        .hasMessageContaining("dashboard.token")
        .hasMessageContaining("character 13");
  }

  @Test
  void badPortsAndIntervals_areRefusedNamingTheSetting() {
    assertThatThrownBy(() -> DashboardSettings.builder().port(-1).build())
        .hasMessageContaining("dashboard.port");
    assertThatThrownBy(() -> DashboardSettings.builder().port(70_000).build())
        .hasMessageContaining("dashboard.port");
    assertThatThrownBy(() -> DashboardSettings.builder().sampleInterval(Duration.ZERO).build())
        .hasMessageContaining("dashboard.sampleInterval");
    assertThatThrownBy(
            () -> DashboardSettings.builder().sampleInterval(Duration.ofHours(1)).build())
        .hasMessageContaining("dashboard.sampleInterval");
  }

  @Test
  void toString_neverShowsTheToken() {
    String text = DashboardSettings.builder().token("a-long-enough-token-123").build().toString();

    assertThat(text).doesNotContain("a-long-enough-token-123").contains("token=(set)");
  }
}
