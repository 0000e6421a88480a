package io.beamline.supervisor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** supervisor-service: supervision trees (the root and the supervisors under it) and their restart decisions, served over RSocket. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SupervisorServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(SupervisorServiceApplication.class, args);
    }
}
