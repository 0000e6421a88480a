package io.beamline.registry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * registry-service: node leases, cluster-unique names, process locations and their change
 * stream, served over RSocket ({@code spring.rsocket.server.port}, default 7100) with actuator
 * on HTTP ({@code server.port}, default 7101).
 */
@SpringBootApplication
public class RegistryServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(RegistryServiceApplication.class, args);
    }
}
