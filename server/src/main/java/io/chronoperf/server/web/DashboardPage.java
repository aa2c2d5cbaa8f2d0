package io.chronoperf.server.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard page: static HTML, CSS and JavaScript under {@code static/admin/performance}, with
 * Chart.js from its WebJar (no CDN). The page holds no data; it signs in with a token and calls
 * the API.
 */
@Controller
public class DashboardPage {
    @GetMapping({"/admin/performance", "/admin/performance/"})
    public String page() {
        return "forward:/admin/performance/index.html";
    }
}
