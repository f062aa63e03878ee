package io.stockgrid.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LimitsTest
{
    @Test
    void shouldAcceptExactlyTheCharactersThePatternsAccept()
    {
        for (int c = 0; c < 256; c++)
        {
            final String s = String.valueOf((char)c);
            assertThat(Limits.isKeyPartChar(c)).as("key part char %d", c).isEqualTo(Limits.isKeyPart(s));
            assertThat(Limits.isRequestIdChar(c)).as("request id char %d", c).isEqualTo(Limits.isRequestId(s));
        }
        assertThat(Limits.KEY_PART.pattern()).contains("{1," + Limits.KEY_PART_CHARS_MAX + "}");
        assertThat(Limits.REQUEST_ID.pattern()).contains("{1," + Limits.REQUEST_ID_CHARS_MAX + "}");
    }
}
