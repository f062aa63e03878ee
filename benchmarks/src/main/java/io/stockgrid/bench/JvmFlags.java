package io.stockgrid.bench;

/** The flags Agrona and Chronicle need on Java 17, for JMH forks (the root pom's stockgrid.jvm.flags). */
final class JvmFlags
{
    static final String[] JAVA17 = {
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true",
        "-Dhazelcast.phone.home.enabled=false",
    };

    private JvmFlags()
    {
    }
}
